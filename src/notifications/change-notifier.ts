import { Injectable } from '@nestjs/common';

/**
 * Wakes change-feed long-polls of this process when this process commits an event. Other replicas'
 * commits are found by polling (PGlite has no LISTEN/NOTIFY across its socket clients).
 */
@Injectable()
export class ChangeNotifier {
  private waiters = new Set<() => void>();

  /** Call after a commit that wrote events. */
  committed(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next commit, after `ms`, or when `signal` aborts, whichever comes first. */
  next(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
      this.waiters.add(wake);
    });
  }
}
