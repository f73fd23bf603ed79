import { Injectable } from '@nestjs/common';
import { OutgoingMessage, SingleMessageSender } from '../common/channel';
import { Digest } from '../common/digest';
import { HttpAnswer, HttpChannel } from '../common/http';
import { plainText, render, truncate } from '../common/render';
import { SendResult } from '../common/send-result';
import { httpUrl } from '../common/text-format';
import { PushoverChannelConfig } from './pushover.config';
import { pushoverDigestForm, withDeviceOptions } from './pushover.digest';

/**
 * The messages.json form: message ≤ 1024, title ≤ 250, url ≤ 512, url_title ≤ 100 characters;
 * priority by severity (resolved messages use `priorities.resolved`); priority 2 needs retry/expire.
 * Plain text: `html` is never set, so nothing the source wrote is markup.
 */
export function pushoverForm(message: OutgoingMessage, config: PushoverChannelConfig): Record<string, string> {
  const m = render(message.kind, message.notification);
  const severity = message.notification.severity as keyof PushoverChannelConfig['priorities'];
  const priority = message.kind === 'resolved' ? config.priorities.resolved : (config.priorities[severity] ?? 0);
  const link = m.links.find((l) => httpUrl(l.url) !== null);
  const form: Record<string, string> = {
    token: config.token,
    user: config.user,
    title: truncate(m.headline, 250),
    message: plainText(m, 1024, false) || m.headline,
    priority: String(priority),
    timestamp: String(Math.floor(Date.parse(message.notification.updatedAt) / 1000)),
  };
  if (link && link.url.length <= 512) {
    form.url = link.url;
    form.url_title = truncate(link.title, 100);
  }
  return withDeviceOptions(form, priority, config);
}

// Pushover asks clients to retry 5xx no faster than every 5 s.
const SERVER_ERROR_WAIT_MS = 5000;

@Injectable()
export class PushoverSender
  extends HttpChannel<PushoverChannelConfig>
  implements SingleMessageSender<PushoverChannelConfig>
{
  readonly shape = 'single' as const;

  url(config: PushoverChannelConfig): string {
    return `${config.apiUrl.replace(/\/+$/, '')}/1/messages.json`;
  }

  preview(message: OutgoingMessage, config: PushoverChannelConfig): unknown {
    const form = { ...pushoverForm(message, config), token: '[redacted]', user: '[redacted]' };
    return { method: 'POST', form };
  }

  send(message: OutgoingMessage, config: PushoverChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.postForm(config, pushoverForm(message, config), timeoutMs);
  }

  sendDigest(digest: Digest, config: PushoverChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.postForm(config, pushoverDigestForm(digest, config), timeoutMs);
  }

  private postForm(config: PushoverChannelConfig, form: Record<string, string>, timeoutMs: number) {
    const body = new URLSearchParams(form).toString();
    return this.post(config, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, timeoutMs);
  }

  protected override read(answer: HttpAnswer): HttpAnswer {
    if (answer.outcome === 'retry' && answer.statusCode !== null && answer.statusCode >= 500) {
      return { ...answer, retryAfterMs: Math.max(answer.retryAfterMs ?? 0, SERVER_ERROR_WAIT_MS) };
    }
    // 200 always carries {"status":1}; anything else is Pushover refusing the request.
    if (answer.outcome === 'success' && !/"status"\s*:\s*1\b/.test(answer.body ?? '')) {
      return { ...answer, outcome: 'permanent', error: 'Pushover answered 200 without status 1' };
    }
    return answer;
  }
}
