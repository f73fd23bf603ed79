/** Fast retries so that tests finish in seconds. */
export const FAST_DELIVERY = {
  backoff: { base: '50ms', max: '200ms', jitter: 0 },
  pollInterval: '200ms',
  lease: '2s',
  timeout: '1s',
  shutdownGrace: '1s',
  reminderInterval: '200ms',
  circuitBreaker: { failureThreshold: 1000, openFor: '100ms' },
};
