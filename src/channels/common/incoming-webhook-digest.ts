import { blocks, Digest, digestHeadline, DigestLineStyle, fitLines, lineText } from './digest';
import { IncomingWebhookChannelConfig } from './incoming-webhook.config';
import { SEVERITY_COLOR, truncate } from './render';
import { PLAIN, TextFormat } from './text-format';

/** How Slack and Mattermost lay out a digest, and within which limits (docs/channels.md). */
export interface IncomingWebhookDigestStyle {
  format: TextFormat;
  lines: DigestLineStyle;
  /** The post's own `text` line, from the escaped headline. */
  text(headline: string): string;
  /** Longest text of one attachment. */
  blockMax: number;
  /** Longest whole message (text and every attachment's text). */
  messageMax: number;
  /** Slack reads attachment text as mrkdwn only when told to. */
  markdownIn: boolean;
}

const HEADLINE_MAX = 1000;

/**
 * A digest as an incoming-webhook post: `text` is the headline with the counts, then the lines in
 * attachments of at most `blockMax` characters each (one colour bar: the worst severity still open,
 * green when every change is a resolve), the last ending with "… and N more" when not all fit.
 */
export function incomingWebhookDigestBody(
  style: IncomingWebhookDigestStyle,
  digest: Digest,
  config: IncomingWebhookChannelConfig,
) {
  const text = style.text(truncate(digestHeadline(style.format, digest), HEADLINE_MAX));
  const rendered = digest.lines.map((line) => lineText(style.format, line, digest, style.lines));
  // Each block break costs no more than the newline it replaces.
  const { lines, more } = fitLines(digest, rendered, style.messageMax - [...text].length);
  const color = SEVERITY_COLOR[digest.severity] ?? SEVERITY_COLOR.unknown;
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.iconEmoji ? { icon_emoji: config.iconEmoji } : {}),
    ...(config.iconUrl ? { icon_url: config.iconUrl } : {}),
    text,
    attachments: blocks([...lines, ...(more ? [more] : [])], style.blockMax).map((block, i) => ({
      color,
      // Plain text for notifications and clients that cannot show attachments.
      ...(i === 0 ? { fallback: truncate(digestHeadline(PLAIN, digest), 300) } : {}),
      text: block,
      ...(style.markdownIn ? { mrkdwn_in: ['text'] } : {}),
    })),
  };
}
