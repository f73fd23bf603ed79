import { Injectable } from '@nestjs/common';
import { PushoverChannelConfig } from '../../config/channels.config';
import { ChannelPreview, ChannelSender, OutgoingMessage, SendResult } from '../common/channel';
import { httpSend } from '../common/http';
import { plainText, render, truncate } from '../common/render';

/**
 * The messages.json form: message ≤ 1024, title ≤ 250, url ≤ 512, url_title ≤ 100 characters;
 * priority by severity (resolved messages use `priorities.resolved`); priority 2 needs retry/expire.
 */
export function pushoverForm(message: OutgoingMessage, config: PushoverChannelConfig): Record<string, string> {
  const m = render(message.kind, message.notification);
  const severity = message.notification.severity as keyof PushoverChannelConfig['priorities'];
  const priority = message.kind === 'resolved' ? config.priorities.resolved : (config.priorities[severity] ?? 0);
  const link = m.links[0];
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
  if (priority === 2) {
    form.retry = String(config.emergencyRetry);
    form.expire = String(config.emergencyExpire);
  }
  if (config.sound) form.sound = config.sound;
  if (config.device) form.device = config.device;
  return form;
}

@Injectable()
export class PushoverSender implements ChannelSender<PushoverChannelConfig> {
  readonly type = 'pushover' as const;

  batchSize(): number {
    return 1;
  }

  preview(messages: OutgoingMessage[], config: PushoverChannelConfig): ChannelPreview {
    const form = { ...pushoverForm(messages[0], config), token: '[redacted]', user: '[redacted]' };
    return { target: `${config.apiUrl}/1/messages.json`, request: { method: 'POST', form } };
  }

  async send(messages: OutgoingMessage[], config: PushoverChannelConfig, timeoutMs: number): Promise<SendResult> {
    const result = await httpSend(
      `${config.apiUrl.replace(/\/+$/, '')}/1/messages.json`,
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(pushoverForm(messages[0], config)).toString(),
      },
      timeoutMs,
    );
    // Pushover asks clients to retry 5xx no faster than every 5 s.
    if (result.outcome === 'retry' && result.statusCode !== null && result.statusCode >= 500) {
      result.retryAfterMs = Math.max(result.retryAfterMs ?? 0, 5000);
    }
    // 200 always carries {"status":1}; anything else is Pushover refusing the request.
    if (result.outcome === 'success' && !/"status"\s*:\s*1\b/.test(result.body ?? '')) {
      return { ...result, outcome: 'permanent', error: 'Pushover answered 200 without status 1' };
    }
    return result;
  }
}
