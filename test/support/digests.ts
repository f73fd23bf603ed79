import { randomUUID } from 'node:crypto';
import { eventually, RecordedRequest } from './fake-channel';
import { stackStateClose, stackStateOpen } from './fixtures';
import { call } from './spec-client';
import { STACKSTATE_TOKEN } from './test-app';

// Helpers of the digest tests: StackState changes on a given host, and digests as a fake receives them.

/** A StackState open for a fresh (or the given) notificationId on `host` (the component's name). */
export function openOn(host: string, overrides: { notificationId?: string; title?: string; state?: string } = {}) {
  const body = stackStateOpen({ notificationId: overrides.notificationId ?? randomUUID(), ...overrides });
  return { ...body, component: { ...body.component, name: host } };
}

export function closeOn(host: string, notificationId: string) {
  const body = stackStateClose(notificationId);
  return { ...body, component: { ...body.component, name: host } };
}

/** Sends a StackState message to the service; resolves with the notification's id. */
export async function sendStackState(url: string, body: unknown): Promise<string> {
  const r = await call(url, 'receiveStackStateEvent', {
    body,
    headers: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
  });
  if (r.status !== 200) throw new Error(`StackState message answered ${r.status}`);
  return r.body.notificationId as string;
}

/** The webhook digests among a fake's requests (`notification.digest` events). */
export function digestsIn(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((r) => r.json?.type === 'notification.digest');
}

/** A digest's group value of `key` (`host`), as the webhook event carries it. */
export function groupValue(request: RecordedRequest, key = 'host'): string | null | undefined {
  return (request.json.data.group as { key: string; value: string | null }[]).find((l) => l.key === key)?.value;
}

/** Waits until `look` finds something (checked every 50 ms). */
export function found<T>(look: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  return eventually(() => Promise.resolve(look()), timeoutMs, what);
}
