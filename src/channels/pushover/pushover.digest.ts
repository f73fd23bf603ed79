import { Digest, digestHeadline, plainDigest } from '../common/digest';
import { truncate } from '../common/render';
import { PLAIN } from '../common/text-format';
import { PushoverChannelConfig } from './pushover.config';

type Priorities = PushoverChannelConfig['priorities'];

/**
 * A digest as the messages.json form: the headline as the title (≤ 250), the lines that fit in the
 * message (≤ 1,024) and "… and N more"; the priority of the worst severity still open (`resolved`'s
 * when every change is a resolve).
 */
export function pushoverDigestForm(digest: Digest, config: PushoverChannelConfig): Record<string, string> {
  const priority =
    digest.severity === 'resolved'
      ? config.priorities.resolved
      : (config.priorities[digest.severity as keyof Priorities] ?? 0);
  const form: Record<string, string> = {
    token: config.token,
    user: config.user,
    title: truncate(digestHeadline(PLAIN, digest), 250),
    // The headline is the title: the message holds the lines.
    message: plainDigest(digest, 1024, false) || digest.counts,
    priority: String(priority),
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  return withDeviceOptions(form, priority, config);
}

/** What every message form adds: an emergency's `retry`/`expire` (priority 2), `sound`, `device`. */
export function withDeviceOptions(
  form: Record<string, string>,
  priority: number,
  config: PushoverChannelConfig,
): Record<string, string> {
  if (priority === 2) {
    form.retry = String(config.emergencyRetry);
    form.expire = String(config.emergencyExpire);
  }
  if (config.sound) form.sound = config.sound;
  if (config.device) form.device = config.device;
  return form;
}
