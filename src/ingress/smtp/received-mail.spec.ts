import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentId, parseMail, rawPayload, withoutNul } from './received-mail';

describe('received mail', () => {
  it('parses HAProxy mail (no MIME headers, no Message-ID)', async () => {
    const raw = Buffer.from(
      'From: haproxy@example.com\r\nTo: alerts@example.com\r\nDate: Sun, 22 Nov 2026 00:23:16 +0100 (CET)\r\n' +
        'Subject: [HAProxy Alert] Server be/web1 is DOWN\r\n\r\nServer be/web1 is DOWN\r\n\r\n',
    );
    const mail = await parseMail(raw);
    assert.equal(mail.subject, '[HAProxy Alert] Server be/web1 is DOWN');
    assert.equal(mail.from, 'haproxy@example.com');
    assert.deepEqual(mail.to, ['alerts@example.com']);
    assert.equal(mail.messageId, null);
    assert.equal(mail.text, 'Server be/web1 is DOWN');
    assert.equal(mail.problem, null);
  });

  it('reads an HTML-only body as text, in linear time even for a stream of unclosed tags', async () => {
    const mail = (html: string) =>
      Buffer.from(`Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
    const parsed = await parseMail(
      mail('<p>Disk <b>full</b> on <a href="https://x">db-1</a></p><script>alert(1)</script>'),
    );
    assert.equal(parsed.text, 'Disk full on db-1');
    const started = Date.now();
    for (const html of ['<script'.repeat(120_000), '<div>'.repeat(100_000), '<a '.repeat(200_000)]) {
      await parseMail(mail(html));
    }
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('keeps the raw message as text when it is clean UTF-8, cut at the limit without splitting a character', () => {
    const raw = Buffer.from('Subject: é\r\n\r\nbodyé');
    assert.deepEqual(rawPayload(raw, 1000), {
      raw: 'Subject: é\r\n\r\nbodyé',
      rawEncoding: 'utf8',
      rawBytes: raw.byteLength,
      rawTruncated: false,
    });
    const cut = rawPayload(raw, raw.byteLength - 1);
    assert.equal(cut.rawEncoding, 'utf8');
    assert.equal(cut.raw, 'Subject: é\r\n\r\nbody');
    assert.equal(cut.rawTruncated, true);
  });

  it('falls back to base64 for binary or NUL bytes, which PostgreSQL text cannot hold', () => {
    const raw = Buffer.from([0x41, 0x00, 0xff, 0x42]);
    const payload = rawPayload(raw, 100);
    assert.equal(payload.rawEncoding, 'base64');
    assert.ok(Buffer.from(payload.raw, 'base64').equals(raw));
    assert.deepEqual(withoutNul({ a: ['x\u0000y'], b: 1 }), { a: ['xy'], b: 1 });
  });

  it('gives the same content id to the same bytes only', () => {
    assert.equal(contentId(Buffer.from('a')), contentId(Buffer.from('a')));
    assert.notEqual(contentId(Buffer.from('a')), contentId(Buffer.from('b')));
    assert.match(contentId(Buffer.from('a')), /^sha256:[0-9a-f]{64}$/);
  });
});
