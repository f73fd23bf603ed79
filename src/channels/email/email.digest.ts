import { Digest, digestHeadline, groupName, moreLine, plainDigest } from '../common/digest';
import { SEVERITY_COLOR, truncate } from '../common/render';
import { HTML, PLAIN } from '../common/text-format';
import { EmailChannelConfig } from './email.config';

// Mail has room: every line up to the route's maxItems, in both parts.
const TEXT_MAX = 100_000;

/**
 * A digest as one mail: the headline as the subject (≤ 200, one line), the text part as plain lines,
 * the HTML part as a table (severity, title linked, state, host) in which the source's text is escaped.
 */
export function emailDigest(digest: Digest, config: EmailChannelConfig) {
  const shown = digest.lines.slice(0, digest.maxItems);
  const more = digest.total - shown.length;
  const rows = shown.map((line) => {
    const color = line.kind === 'resolved' ? SEVERITY_COLOR.resolved : (SEVERITY_COLOR[line.severity] ?? '#808080');
    const title = line.link ? HTML.link(line.link, line.title) : HTML.text(line.title);
    return [
      '<tr>',
      `<td style="border-left:6px solid ${color};padding-left:6px">${line.severity.toUpperCase()}</td>`,
      `<td>${title}</td>`,
      `<td>${line.state}</td>`,
      ...(digest.showHost ? [`<td>${line.host === null ? '' : HTML.text(line.host)}</td>`] : []),
      '</tr>',
    ].join('');
  });
  return {
    from: config.from,
    to: config.to,
    subject: truncate(digestHeadline(PLAIN, digest).replace(/[\r\n]+/g, ' '), 200),
    text: plainDigest(digest, TEXT_MAX),
    html: [
      `<h2>${digest.counts} · ${groupName(HTML, digest)}</h2>`,
      `<table cellpadding="4">${rows.join('\n')}</table>`,
      ...(more > 0 ? [`<p>${HTML.text(moreLine(digest, more))}</p>`] : []),
    ].join('\n'),
    headers: { 'X-Alert-Relay-Digest': digest.id },
  };
}
