import {
  AlertRelayError,
  createAlertRelayClient,
  type AlertRelayClient,
  type ApiErrorBody,
  type WhoAmI,
} from '@alert-relay/client';

// The service serves index.html with a <base href> at the console's root (`…/console/`), relative to
// the page, so the console also works behind a reverse proxy that adds a path prefix. The API is the
// parent of that root.
const consoleRoot = new URL('.', document.baseURI);
export const serviceRoot = new URL('..', consoleRoot).href;
/** wouter's base: the console's root path without its trailing slash. */
export const routerBase = consoleRoot.pathname.replace(/\/$/, '');

/** A client sending `apiKey`; each of its calls goes out once `after` has resolved (see connect). */
export function createClient(apiKey: string, after?: Promise<void>): AlertRelayClient {
  // No HTTP cache for API answers: the console keeps its own (TanStack Query), and reads it again when the
  // change feed says something changed.
  const fetchFresh = async (request: Request) => {
    await after;
    return fetch(new Request(request, { cache: 'no-store' }));
  };
  return createAlertRelayClient({ baseUrl: serviceRoot, apiKey, fetch: fetchFresh });
}

/** An answer of the SDK: its data, or an AlertRelayError carrying the API's error body. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error === undefined && answer.data !== undefined) return answer.data;
  throw new AlertRelayError(answer.response.status, answer.error as ApiErrorBody | undefined);
}

/** What to tell the operator about a failed call, in one sentence. */
export function describeError(error: unknown): string {
  if (error instanceof AlertRelayError) {
    return error.body ? `${error.body.message} (HTTP ${error.status})` : `The service answered HTTP ${error.status}`;
  }
  if (error instanceof TypeError) return 'Cannot reach the service; check the network and try again.';
  return error instanceof Error ? error.message : String(error);
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof AlertRelayError && error.status === status;
}

export async function whoAmI(client: AlertRelayClient): Promise<WhoAmI> {
  return unwrap(await client.GET('/api/v1/whoami'));
}

/**
 * A fresh Idempotency-Key per intended change. crypto.randomUUID exists only on https and localhost
 * pages; getRandomValues exists everywhere.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
