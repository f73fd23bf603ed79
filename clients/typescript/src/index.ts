// @alert-relay/client: a typed client of the Alert Relay REST API. `schema.ts` is generated from
// openapi/openapi.yaml (npm run sdk:generate); this file is the small hand-written part.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths } from './schema';
export type Notification = components['schemas']['Notification'];
export type NotificationPage = components['schemas']['NotificationPage'];
export type NotificationEvent = components['schemas']['NotificationEvent'];
export type FeedEvent = components['schemas']['FeedEvent'];
export type EventPage = components['schemas']['EventPage'];
export type ApiErrorBody = components['schemas']['Error'];
export type Delivery = components['schemas']['Delivery'];
export type DeliveryAttempt = components['schemas']['DeliveryAttempt'];
export type DeliveryStatus = components['schemas']['DeliveryStatus'];
export type Channel = components['schemas']['Channel'];
export type ChannelTestResult = components['schemas']['ChannelTestResult'];
export type RouteTestRequest = components['schemas']['RouteTestRequest'];
export type RouteTestResult = components['schemas']['RouteTestResult'];
export type Severity = components['schemas']['Severity'];
export type WhoAmI = paths['/api/v1/whoami']['get']['responses'][200]['content']['application/json'];
export type Silence = components['schemas']['Silence'];
export type SilenceRequest = components['schemas']['SilenceRequest'];
export type Hold = components['schemas']['Hold'];

export type AlertRelayClient = Client<paths>;

export interface AlertRelayClientOptions {
  /** Where the service runs, e.g. `https://alert-relay.example.com`. */
  baseUrl: string;
  /** A key from `api.keys` in the service's config; sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** A fetch of your own (a proxy agent, a test wrapper); the global fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
  headers?: Record<string, string>;
}

/** An openapi-fetch client for the whole API: `client.GET('/api/v1/notifications', { params: { query } })`. */
export function createAlertRelayClient(options: AlertRelayClientOptions): AlertRelayClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An error answer of the API, with its `Error` body (`error` is a stable code). */
export class AlertRelayError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(body ? `${status} ${body.error}: ${body.message}` : `HTTP ${status}`);
    this.name = 'AlertRelayError';
  }
}

export interface FollowEventsOptions {
  /**
   * Resume after this cursor (the `cursor` of the last event you processed); from the beginning when omitted;
   * `'now'` follows only the events that come after the first request.
   */
  after?: string;
  /** Events per request, at most 500. */
  limit?: number;
  /** Seconds each request long-polls while there is nothing new (at most 60). */
  waitSeconds?: number;
  /** Stops following (the generator returns) when aborted. */
  signal?: AbortSignal;
  /** Called before retrying after a network error or a 5xx answer; retries back off up to 30 s. */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** Called with every answer of the feed, empty ones too: the follower is connected again. */
  onPage?: (page: EventPage) => void;
}

/**
 * Follows the change feed: yields every event once, in feed order, long-polling while there is nothing new.
 * Store `event.cursor` once you have processed an event and pass it as `after` when you start again: you
 * then neither miss nor repeat an event. Network errors and 5xx answers are retried; a 4xx is thrown.
 */
export async function* followEvents(
  client: AlertRelayClient,
  options: FollowEventsOptions = {},
): AsyncGenerator<FeedEvent, void, undefined> {
  let after = options.after;
  let failures = 0;
  while (!options.signal?.aborted) {
    let page: EventPage;
    try {
      const { data, error, response } = await client.GET('/api/v1/events', {
        params: { query: { after, limit: options.limit ?? 100, wait: options.waitSeconds ?? 30 } },
        signal: options.signal,
      });
      if (!data) {
        const failure = new AlertRelayError(response.status, error);
        if (response.status < 500) throw failure;
        throw Object.assign(failure, { retryable: true });
      }
      page = data;
      failures = 0;
      options.onPage?.(page);
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof AlertRelayError && !(error as { retryable?: boolean }).retryable) throw error;
      const delay = Math.min(30_000, 500 * 2 ** failures++);
      options.onRetry?.(error, delay);
      await sleep(delay, options.signal);
      continue;
    }
    for (const event of page.items) {
      yield event;
      if (options.signal?.aborted) return;
    }
    after = page.nextCursor;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
