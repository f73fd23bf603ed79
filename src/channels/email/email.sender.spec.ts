import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { sampleMessage } from '../common/sample-message';
import { EmailChannelConfig } from './email.config';
import { emailMessage, EmailSender } from './email.sender';

const config = plainToInstance(EmailChannelConfig, {
  type: 'email',
  smtp: { host: 'smtp.example.com', port: 465, user: 'u', password: 'pw' },
  from: 'relay@example.com',
  to: ['ops@example.com'],
});

describe('email channel', () => {
  it('escapes what the source wrote in the HTML part and keeps the text part as written', () => {
    const mail = emailMessage(
      sampleMessage('opened', {
        title: '<img src=x onerror=alert(1)>',
        message: 'a & "b"',
        metadata: { '<k>': '<v>' },
        links: [
          { rel: 'monitor', href: 'https://example.com/m?a=1&b="2"' },
          { rel: 'evil', href: 'javascript:alert(1)' },
        ],
      }),
      config,
    );
    assert.match(mail.html, /<h2>\[CRITICAL\] &lt;img src=x onerror=alert\(1\)&gt;<\/h2>/);
    assert.match(mail.html, /<p>a &amp; &quot;b&quot;<\/p>/);
    assert.match(mail.html, /<tr><th align="left">&lt;k&gt;<\/th><td>&lt;v&gt;<\/td><\/tr>/);
    assert.match(mail.html, /<p><a href="https:\/\/example.com\/m\?a=1&amp;b=&quot;2&quot;">monitor<\/a> · evil<\/p>/);
    assert.ok(!mail.html.includes('javascript:'));
    assert.equal(mail.subject, '[CRITICAL] <img src=x onerror=alert(1)>');
    assert.match(mail.text, /^a & "b"\n/);
  });

  it('keeps a subject on one line', () => {
    assert.equal(
      emailMessage(sampleMessage('opened', { title: 'a\r\nBcc: x@y' }), config).subject,
      '[CRITICAL] a Bcc: x@y',
    );
  });

  it('shows the SMTP server, never the credentials', () => {
    assert.equal(new EmailSender().target(config), 'smtp://smtp.example.com:465');
  });
});
