import { createHash } from 'node:crypto';
import { convert, HtmlToTextOptions } from 'html-to-text';
import PostalMime from 'postal-mime';
import { errorText } from '../../common/errors';

/** The SMTP session facts of one message, as the API shows them (metadata `smtp.*`, event payload). */
export interface SmtpEnvelope {
  sessionId: string;
  remoteAddress: string;
  /** The HELO/EHLO argument. */
  helo: string;
  openingCommand: string;
  mailFrom: string | null;
  rcptTo: string[];
  secure: boolean;
  user: string | null;
}

export interface ReceivedMail {
  raw: Buffer;
  envelope: SmtpEnvelope;
}

/** The parts of a parsed message this service uses. */
export interface ParsedMail {
  subject: string;
  from: string | null;
  fromName: string | null;
  to: string[];
  cc: string[];
  messageId: string | null;
  date: string | null;
  text: string;
  /** Why the message could not be parsed as RFC 5322, or null. */
  problem: string | null;
}

type Address = PostalMime.Address;

const addresses = (list: Address[] | undefined): string[] =>
  (list ?? []).flatMap((a) => (a.group ? a.group.map((m) => m.address) : [a.address ?? ''])).filter((a) => a !== '');

/** Parses with postal-mime; garbage still yields a result (with `problem` set), never an exception. */
export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  try {
    const email = await PostalMime.parse(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    const from = email.from && !email.from.group ? email.from : (email.from?.group?.[0] ?? null);
    const text = email.text ?? (email.html ? htmlText(email.html) : '');
    const looksLikeMail = email.headers.length > 0;
    return {
      subject: (email.subject ?? '').trim(),
      from: from?.address || null,
      fromName: from?.name || null,
      to: addresses(email.to),
      cc: addresses(email.cc),
      messageId: email.messageId?.trim() || null,
      date: email.date ?? null,
      text: text.trim(),
      problem: looksLikeMail ? null : 'no RFC 5322 header found',
    };
  } catch (error) {
    return {
      subject: '',
      from: null,
      fromName: null,
      to: [],
      cc: [],
      messageId: null,
      date: null,
      text: '',
      problem: `not parseable: ${errorText(error)}`,
    };
  }
}

// html-to-text parses with htmlparser2 in linear time (a regex tag stripper was quadratic on a stream of
// unclosed tags). Only the start of the text is used (docs/smtp.md: 16 KiB of message, 64 KiB for mail
// rules), so the HTML read is bounded too, and so are its depth and width.
const HTML_TO_TEXT: HtmlToTextOptions = {
  wordwrap: false,
  limits: { maxInputLength: 64 * 1024, maxDepth: 64, maxChildNodes: 5_000, ellipsis: '…' },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
};

function htmlText(html: string): string {
  return convert(html, HTML_TO_TEXT);
}

export interface RawPayload {
  raw: string;
  rawEncoding: 'utf8' | 'base64';
  rawBytes: number;
  rawTruncated: boolean;
}

/** The raw message for the event: at most `limit` bytes, as text when it is clean UTF-8, else base64. */
export function rawPayload(raw: Buffer, limit: number): RawPayload {
  const truncated = raw.byteLength > limit;
  let kept = raw.subarray(0, limit);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // A cut may split a multi-byte character: drop up to 3 trailing bytes before giving up on text.
  for (let drop = 0; drop <= (truncated ? 3 : 0); drop++) {
    const candidate = kept.subarray(0, kept.byteLength - drop);
    try {
      const text = decoder.decode(candidate);
      // PostgreSQL text and jsonb cannot hold NUL.
      if (!text.includes('\u0000'))
        return { raw: text, rawEncoding: 'utf8', rawBytes: raw.byteLength, rawTruncated: truncated };
      break;
    } catch {
      continue;
    }
  }
  kept = raw.subarray(0, limit);
  return { raw: kept.toString('base64'), rawEncoding: 'base64', rawBytes: raw.byteLength, rawTruncated: truncated };
}

/** A stable id for a message without a usable Message-ID: the same bytes re-sent give the same id. */
export function contentId(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** Removes NUL characters (PostgreSQL text and jsonb reject them) from every string in a value. */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\u0000/g, '') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutNul(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNul(v)])) as T;
  }
  return value;
}
