import { RenderedMessage, truncate } from './render';

/**
 * How one channel format shows text the source wrote (titles, messages, metadata, link titles). The
 * source is untrusted: nothing it wrote may turn into markup, a link or a mention. Our own words
 * (`[CRITICAL · UPDATED]`) are safe in every format and are not passed through here.
 */
export interface TextFormat {
  /** The source's text, shown as written. */
  text(raw: string): string;
  /** A link to `url` titled `title`, or just the title when the URL is not http(s). */
  link(url: string, title: string): string;
}

/** The URL as given when it is http(s); null for anything else (`javascript:`, `file:`, garbage). */
export function httpUrl(url: string): string | null {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const slackText = (raw: string) => raw.replace(/[&<>]/g, (c) => SLACK_ENTITIES[c]);

/** Slack mrkdwn: `<…>` is a link or a mention (`<!channel>`, `<@U123>`); `&`, `<`, `>` are entities. */
export const SLACK_MRKDWN: TextFormat = {
  text: slackText,
  link(url, title) {
    const safe = httpUrl(url);
    // Inside `<url|title>` a `|` would end the URL.
    return safe ? `<${slackText(safe).replace(/\|/g, '%7C')}|${slackText(title)}>` : slackText(title);
  },
};

// Markdown punctuation that starts emphasis, code, strike-through, links and images, headings or tables.
const MARKDOWN_PUNCTUATION = /[\\`*_~[\]#|]/g;
// An `@` at the start of a word mentions (`@channel`, `@all`, `@here`, `@someone`); a zero-width
// space after it keeps the text readable and mentions nobody. `a@b` (an address) is no mention.
const MENTION = /(?<![\p{L}\p{N}])@(?=[\p{L}\p{N}_])/gu;
const markdownText = (raw: string) =>
  raw
    .replace(/[&<>]/g, (c) => SLACK_ENTITIES[c])
    .replace(MARKDOWN_PUNCTUATION, '\\$&')
    .replace(MENTION, '@\u200b');

/**
 * Mattermost Markdown. It also translates Slack's `<!channel>` and `<url|text>`, so `&`, `<`, `>`
 * are entities as for Slack; Markdown punctuation is backslash-escaped; `@` mentions are broken.
 */
export const MATTERMOST_MARKDOWN: TextFormat = {
  text: markdownText,
  link(url, title) {
    const safe = httpUrl(url);
    // `(`, `)`, spaces and angle brackets would end a Markdown link target.
    const target = safe?.replace(/[()<>\s]/g, (c) => (c === '(' ? '%28' : c === ')' ? '%29' : encodeURIComponent(c)));
    return target ? `[${markdownText(title)}](${target})` : markdownText(title);
  },
};

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const htmlText = (raw: string) => raw.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]);

/** HTML (the e-mail's HTML part): text and attribute values escaped. */
export const HTML: TextFormat = {
  text: htmlText,
  link(url, title) {
    const safe = httpUrl(url);
    return safe ? `<a href="${htmlText(safe)}">${htmlText(title)}</a>` : htmlText(title);
  },
};

/** Plain text (Pushover without `html=1`, Signal, mail's text part): shown as is; nothing is markup. */
export const PLAIN: TextFormat = {
  text: (raw) => raw,
  link: (url, title) => `${title}: ${url}`,
};

/**
 * The source's text in `format`, at most `max` characters (code points) with "…" when cut. Cuts the
 * source text, not its escaped form, so that no escape is left half written.
 */
export function fitText(format: TextFormat, raw: string, max: number): string {
  const whole = format.text(raw);
  if (length(whole) <= max) return whole;
  // The longest cut whose escaped form fits: escaping only lengthens, so search on the raw length.
  let low = 0;
  let high = length(raw);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (length(format.text(truncate(raw, mid))) <= max) low = mid;
    else high = mid - 1;
  }
  return format.text(truncate(raw, low));
}

/** `[LABEL] title` in `format`, at most `max` characters: our label as is, the source's title escaped. */
export function headline(format: TextFormat, m: RenderedMessage, max: number): string {
  const label = `[${m.label}] `;
  return label + fitText(format, m.title, max - length(label));
}

const length = (text: string) => [...text].length;
