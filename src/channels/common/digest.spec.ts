import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutgoingMessage } from './channel';
import { blocks, buildDigest, digestHeadline, fitLines, groupName, lineText, plainDigest, PLAIN_LINES } from './digest';
import { sampleChange as change } from './sample-message';
import { HTML, PLAIN, SLACK_MRKDWN } from './text-format';

const digestOf = (messages: OutgoingMessage[], maxItems = 50, labels = [{ key: 'host', value: 'db-7' }]) =>
  buildDigest({ id: 'digest-1', route: 'storm', labels, maxItems, messages });

describe('digest model', () => {
  it('counts the changes, one line per notification at its newest, the most urgent first', () => {
    const flapping = '00000000-0000-4000-8000-00000000f1a9';
    const digest = digestOf([
      change('opened', 'warning', 'Disk 80%', { minute: 1 }),
      change('opened', 'critical', 'Link down', { id: flapping, minute: 2 }),
      change('opened', 'critical', 'CPU 99%', { minute: 3 }),
      change('resolved', 'critical', 'Link down', { id: flapping, revision: 2, minute: 4 }),
      change('updated', 'info', 'Backup slow', { minute: 5 }),
    ]);
    assert.equal(digest.total, 4);
    assert.equal(digest.counts, '2 opened · 1 updated · 1 resolved');
    assert.deepEqual(
      digest.lines.map((l) => `${l.severity} ${l.title} ${l.state}`),
      ['critical CPU 99% opened', 'warning Disk 80% opened', 'info Backup slow updated', 'critical Link down resolved'],
    );
    assert.equal(digest.severity, 'critical');
    assert.equal(digest.messages.length, 5, 'every change is still carried');
    assert.equal(digestHeadline(PLAIN, digest), '2 opened · 1 updated · 1 resolved · host db-7');
    assert.equal(digest.showHost, false);
  });

  it('is green when every change is a resolve, and says "still open" for reminders', () => {
    assert.equal(digestOf([change('resolved', 'critical', 'a')]).severity, 'resolved');
    const reminders = digestOf([change('reminder', 'warning', 'a'), change('reminder', 'warning', 'b')]);
    assert.equal(reminders.counts, '2 still open');
    assert.equal(reminders.severity, 'warning');
  });

  it('names the group by its labels, escaped for the format, or by the route', () => {
    const labels = [
      { key: 'host', value: '<db-7>' },
      { key: 'metadata.team', value: 'Team A' },
      { key: 'metadata.owner', value: null },
      { key: 'tag:cluster-name', value: 'cluster-name:prod' },
      { key: 'tag:zone', value: null },
    ];
    assert.equal(
      groupName(HTML, { labels, route: 'r' }),
      'host &lt;db-7&gt; · team Team A · no owner · cluster-name:prod · no zone tag',
    );
    assert.equal(groupName(SLACK_MRKDWN, { labels: [], route: 'storm' }), 'route storm');
  });

  it('writes a line with the severity, the title (linked), the state and the host when not grouped by it', () => {
    const digest = digestOf([change('opened', 'critical', '<!channel> down', { host: 'web-1' })], 50, []);
    const [line] = digest.lines;
    assert.equal(
      lineText(SLACK_MRKDWN, line, digest, { bullet: '• ', strong: (s) => `*${s}*` }),
      '• *CRITICAL* <https://example.com/m/1|&lt;!channel&gt; down> — opened · web-1',
    );
    assert.equal(
      lineText(PLAIN, line, digest, PLAIN_LINES),
      'CRITICAL <!channel> down — opened · web-1 · https://example.com/m/1',
    );
  });

  it('lists at most maxItems lines, and what does not fit as "… and N more" with the API filter', () => {
    const messages = Array.from({ length: 30 }, (_, i) => change('opened', 'warning', `alert ${i}`));
    const fitted = fitLines(
      digestOf(messages, 10),
      messages.map((_, i) => `line ${i}`),
      10_000,
    );
    assert.equal(fitted.lines.length, 10);
    assert.equal(fitted.more, '… and 20 more: GET /api/v1/deliveries?digestId=digest-1');
    const tight = fitLines(
      digestOf(messages),
      messages.map(() => 'x'.repeat(40)),
      200,
    );
    assert.ok(tight.lines.join('\n').length + 1 + tight.more!.length <= 200);
    assert.equal(tight.lines.length + Number(/and (\d+) more/.exec(tight.more!)![1]), 30);
    const all = fitLines(digestOf(messages.slice(0, 3)), ['a', 'b', 'c'], 5);
    assert.deepEqual(all, { lines: ['a', 'b', 'c'], more: null }, 'no room is kept when everything fits');
  });

  it('fits plain text to a limit, and packs lines into blocks', () => {
    const messages = Array.from({ length: 200 }, (_, i) => change('opened', 'critical', `Service ${i} is down`));
    const text = plainDigest(digestOf(messages), 1024);
    assert.ok([...text].length <= 1024, `${[...text].length} characters`);
    assert.match(text, /^200 opened · host db-7\nCRITICAL Service/);
    assert.match(text, /… and \d+ more: GET \/api\/v1\/deliveries\?digestId=digest-1$/);
    assert.deepEqual(blocks(['aaa', 'bbb', 'ccc'], 7), ['aaa\nbbb', 'ccc']);
  });
});
