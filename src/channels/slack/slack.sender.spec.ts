import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { sampleNotification as notification, sampleMessage } from '../common/sample-message';
import { SlackChannelConfig } from './slack.config';
import { slackBody, SlackSender } from './slack.sender';

const config = plainToInstance(SlackChannelConfig, { type: 'slack', url: 'http://127.0.0.1:1/services/T/B/secret' });

describe('slack channel', () => {
  it('escapes Slack markup the source wrote', () => {
    const body = slackBody(
      { id: 'd', kind: 'opened', notification: notification({ title: '<!channel> & <http://x|y>' }) },
      config,
    );
    assert.equal(body.text, '[CRITICAL] &lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    assert.equal(body.attachments[0].color, '#d00000');
  });

  it('escapes every text the source wrote, and writes only http(s) links', () => {
    const body = slackBody(
      sampleMessage('opened', {
        message: 'Ping <@U123> or <!here>',
        metadata: { team: '<!subteam^S1>' },
        links: [
          { rel: 'monitor', href: 'https://example.com/a?b=1&c=2|3>' },
          { rel: 'run <!channel>', href: 'https://example.com/run' },
          { rel: 'bad', href: 'javascript:alert(1)' },
        ],
      }),
      config,
    );
    const [attachment] = body.attachments;
    assert.equal(attachment.text, 'Ping &lt;@U123&gt; or &lt;!here&gt;');
    assert.equal(attachment.fields.find((f) => f.title === 'team')?.value, '&lt;!subteam^S1&gt;');
    assert.equal(attachment.title_link, 'https://example.com/a?b=1&c=2|3>');
    assert.equal(
      attachment.footer,
      '<https://example.com/a?b=1&amp;c=2%7C3&gt;|monitor> · <https://example.com/run|run &lt;!channel&gt;> · bad',
    );
  });

  it('cuts long text without leaving half an entity', () => {
    const body = slackBody(sampleMessage('opened', { message: '&'.repeat(2000) }), config);
    const text = body.attachments[0].text!;
    assert.ok([...text].length <= 3000);
    assert.match(text, /^(&amp;)+…$/);
  });

  it('shows only the scheme and host of its webhook URL', () => {
    assert.equal(new SlackSender().target(config), 'http://127.0.0.1:1/[redacted]');
  });
});
