import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { sampleMessage } from '../common/sample-message';
import { MattermostChannelConfig } from './mattermost.config';
import { mattermostBody, MattermostSender } from './mattermost.sender';

const config = plainToInstance(MattermostChannelConfig, {
  type: 'mattermost',
  url: 'https://chat.example.com/hooks/secret-key?x=1',
});
const ZWSP = '\u200b';

describe('mattermost channel', () => {
  it('writes the headline in bold and the source text as literal Markdown', () => {
    const body = mattermostBody(
      sampleMessage('opened', {
        title: 'CPU at 3.0 - **now** [see](https://evil.example) #ops',
        message: '`code` _x_ ~~y~~ | a | <!channel> & @channel @all @here, mail ops@example.com',
      }),
      config,
    );
    assert.equal(body.text, '**[CRITICAL] CPU at 3.0 - \\*\\*now\\*\\* \\[see\\](https://evil.example) \\#ops**');
    const [attachment] = body.attachments;
    assert.equal(
      attachment.text,
      `\\\`code\\\` \\_x\\_ \\~\\~y\\~\\~ \\| a \\| &lt;!channel&gt; &amp; @${ZWSP}channel @${ZWSP}all @${ZWSP}here, mail ops@example.com`,
    );
    assert.equal(attachment.title, '[CRITICAL] CPU at 3.0 - \\*\\*now\\*\\* \\[see\\](https://evil.example) \\#ops');
    assert.equal('ts' in attachment, false);
  });

  it('writes links in Markdown syntax, only for http(s) URLs, with the target kept whole', () => {
    const body = mattermostBody(
      sampleMessage('opened', {
        links: [
          { rel: 'monitor [1]', href: 'https://example.com/a_(b) c' },
          { rel: 'bad', href: 'javascript:alert(1)' },
        ],
      }),
      config,
    );
    assert.equal(body.attachments[0].footer, '[monitor \\[1\\]](https://example.com/a_%28b%29%20c) · bad');
  });

  it('shows only the scheme and host of its webhook URL', () => {
    assert.equal(new MattermostSender().target(config), 'https://chat.example.com/[redacted]');
  });
});
