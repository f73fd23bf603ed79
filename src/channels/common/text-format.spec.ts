import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from './render';
import { sampleNotification } from './sample-message';
import { fitText, headline, HTML, httpUrl, MATTERMOST_MARKDOWN, PLAIN, SLACK_MRKDWN } from './text-format';

const ZWSP = '\u200b';

describe('text formats', () => {
  it('Slack: &, <, > become entities, so no <!channel>, <@user> or <url|text> survives', () => {
    assert.equal(
      SLACK_MRKDWN.text('<!channel> <@U1> <http://x|y> a&b *bold*'),
      '&lt;!channel&gt; &lt;@U1&gt; &lt;http://x|y&gt; a&amp;b *bold*',
    );
    assert.equal(
      SLACK_MRKDWN.link('https://e.com/?a=1&b=2|x', 'a <b>'),
      '<https://e.com/?a=1&amp;b=2%7Cx|a &lt;b&gt;>',
    );
  });

  it('Mattermost: Markdown punctuation escaped, entities for Slack-style markup, mentions broken', () => {
    assert.equal(
      MATTERMOST_MARKDOWN.text('# h *b* _i_ ~~s~~ `c` [l](u) a|b \\ <!all> &'),
      '\\# h \\*b\\* \\_i\\_ \\~\\~s\\~\\~ \\`c\\` \\[l\\](u) a\\|b \\\\ &lt;!all&gt; &amp;',
    );
    assert.equal(
      MATTERMOST_MARKDOWN.text('@channel (@here) @all, @alice; ops@example.com 3.0 - ok'),
      `@${ZWSP}channel (@${ZWSP}here) @${ZWSP}all, @${ZWSP}alice; ops@example.com 3.0 - ok`,
    );
    assert.equal(MATTERMOST_MARKDOWN.link('https://e.com/a (1)', 'x_y'), '[x\\_y](https://e.com/a%20%281%29)');
  });

  it('HTML: text and attributes escaped', () => {
    assert.equal(HTML.text('<script>"x" & y</script>'), '&lt;script&gt;&quot;x&quot; &amp; y&lt;/script&gt;');
    assert.equal(
      HTML.link('https://e.com/?a="1"&b', '<b>'),
      '<a href="https://e.com/?a=&quot;1&quot;&amp;b">&lt;b&gt;</a>',
    );
  });

  it('plain text is shown as is', () => {
    assert.equal(PLAIN.text('<b>*x*</b> @channel'), '<b>*x*</b> @channel');
    assert.equal(PLAIN.link('https://e.com', 'monitor'), 'monitor: https://e.com');
  });

  it('links only to http(s) URLs: anything else is shown as its title', () => {
    assert.equal(httpUrl('https://e.com/x'), 'https://e.com/x');
    assert.equal(httpUrl('HTTP://E.COM'), 'HTTP://E.COM');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'not a url', '']) {
      assert.equal(httpUrl(bad), null, bad);
      assert.equal(SLACK_MRKDWN.link(bad, 'title'), 'title');
      assert.equal(MATTERMOST_MARKDOWN.link(bad, 'title'), 'title');
      assert.equal(HTML.link(bad, 'title'), 'title');
    }
  });

  it('cuts the source text, never an escape, and keeps our label as written', () => {
    assert.equal(fitText(SLACK_MRKDWN, 'a<b', 10), 'a&lt;b');
    assert.equal(fitText(SLACK_MRKDWN, '<<<<', 10), '&lt;&lt;…');
    assert.equal(fitText(MATTERMOST_MARKDOWN, '****', 6), '\\*\\*…');
    assert.equal(fitText(HTML, '🔥'.repeat(10), 4), '🔥🔥🔥…');
    const m = render('updated', sampleNotification({ title: '*<x>*' }));
    assert.equal(headline(MATTERMOST_MARKDOWN, m, 100), '[CRITICAL · UPDATED] \\*&lt;x&gt;\\*');
    assert.equal(headline(SLACK_MRKDWN, m, 25), '[CRITICAL · UPDATED] *…');
  });
});
