/** What a worker's loop runs and how it reports. */
export interface WorkLoopOptions<T> {
  /** One claim round: claims, starts sends (`track`), plans the next round (`schedule`). */
  round: () => Promise<void>;
  /** A round failed (the database is away, …): say so; the loop tries again after `retryMs`. */
  failed: (error: unknown) => void;
  retryMs: number;
  /** At a stop, what was still in flight after the grace: give it back (release its leases). */
  giveBack: (left: T[]) => Promise<void>;
}

/**
 * The claim loop of a worker (deliveries, digests): one round at a time, a kick during a round runs one
 * more after it, a timer for the next round, and the sends in flight. A stop starts no more rounds,
 * lets the round under way finish (before the database goes), gives the sends in flight `graceMs`, and
 * hands back what is left.
 */
export class WorkLoop<T> {
  private readonly inFlight = new Map<Promise<void>, T>();
  private stopping = false;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly options: WorkLoopOptions<T>) {}

  /** Sends in flight. */
  get busy(): number {
    return this.inFlight.size;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Runs a round now (or right after the current one). */
  kick(): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.options
      .round()
      .catch((error: unknown) => {
        if (this.stopping) return;
        this.options.failed(error);
        this.schedule(this.options.retryMs);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** The next round in `ms` (replacing the one planned). */
  schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      this.kick();
    }, ms);
    this.timer.unref();
  }

  /** A round within `ms`, unless one is planned sooner. */
  soon(ms: number): void {
    if (Date.now() + ms < this.timerAt) this.schedule(ms);
  }

  /** Keeps `send` (of `item`) in flight; a round follows when it ends. */
  track(item: T, send: Promise<void>): void {
    const task: Promise<void> = send.finally(() => {
      this.inFlight.delete(task);
      this.kick();
    });
    this.inFlight.set(task, item);
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const done = await Promise.race([Promise.all([...this.inFlight.keys()]).then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (done === 'timeout') await this.options.giveBack([...this.inFlight.values()]);
  }
}
