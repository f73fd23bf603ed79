export interface GroupCommitOptions<J, R> {
  /** Batches that run at once; more jobs than this wait and form the next batch. */
  maxInFlight: number;
  /** Jobs one batch takes at most. */
  maxBatch: number;
  /** How long a job may wait for a batch; then it is rejected with `tooLong()`. */
  maxWaitMs: number;
  tooLong: (waitedMs: number) => Error;
  run: (batch: Pending<J, R>[]) => Promise<void>;
  /**
   * A batch starts beside a running one only when at least `minBatch` jobs wait, or when the running
   * ones have all run for `afterMs` (without it, at once). Fewer, larger batches: the jobs that arrive
   * while one batch runs go together in the next, instead of the first of them taking the free slot alone.
   */
  beside?: { minBatch: number; afterMs: number };
}

/**
 * Group commit: callers submit jobs one at a time; at most `maxInFlight` batches run at once, and every
 * job that arrives while they are all busy waits for the next batch, which takes up to `maxBatch` of the
 * waiting jobs in arrival order. An idle service therefore runs each job alone, at once, and a busy one
 * shares a transaction, its round trips and its commit among many jobs. Without `beside`, no timer is on
 * the way; with it, a free slot beside a running batch waits for `minBatch` jobs, or for the running
 * batches to have taken `afterMs` (a timer then looks again), so that the jobs arriving meanwhile go in
 * one batch.
 *
 * Jobs submitted together (`submitAll`: the alerts of one request) always share one batch, even past
 * `maxBatch`; a batch takes them whole or leaves them all for the next.
 *
 * `run` settles every job of its batch through the job's own resolve/reject; when `run` rejects, or
 * resolves having left a job unsettled, that job is rejected, so no caller waits forever. Neither does a
 * job wait for a slot longer than `maxWaitMs` (the database hangs): it is rejected with `tooLong()`.
 */
export class GroupCommit<J, R> {
  readonly maxInFlight: number;
  private readonly waiting: Waiting<J, R>[] = [];
  /** The running batches: when each started. */
  private readonly running = new Set<{ since: number }>();
  private besideTimer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: GroupCommitOptions<J, R>) {
    if (options.maxInFlight < 1 || options.maxBatch < 1)
      throw new Error('GroupCommit: maxInFlight and maxBatch must be at least 1');
    this.maxInFlight = options.maxInFlight;
  }

  submit(job: J): Promise<R> {
    const [result] = this.submitAll([job]);
    return result;
  }

  /** Submits jobs that must share one batch (one transaction); resolves each on its own. */
  submitAll(jobs: readonly J[]): Promise<R>[] {
    const unit = {};
    const since = Date.now();
    const results = jobs.map(
      (job) => new Promise<R>((resolve, reject) => this.enqueue(job, since, unit, resolve, reject)),
    );
    this.pump();
    if (this.waiting.length > 0 && !this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.options.maxWaitMs / 4)));
      this.sweeper.unref();
    }
    return results;
  }

  private enqueue(job: J, since: number, unit: object, resolve: (value: R) => void, reject: (error: unknown) => void) {
    const waiting: Waiting<J, R> = {
      job,
      since,
      unit,
      settled: false,
      resolve: (value) => {
        if (waiting.settled) return;
        waiting.settled = true;
        resolve(value);
      },
      reject: (error) => {
        if (waiting.settled) return;
        waiting.settled = true;
        reject(error);
      },
    };
    this.waiting.push(waiting);
  }

  /** Jobs waiting for a batch (not counting the ones running). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Rejects every waiting job with `error`: the database is gone, waiting longer helps nobody. */
  failWaiting(error: unknown): void {
    for (const pending of this.waiting.splice(0)) pending.reject(error);
    this.stopSweeper();
  }

  private pump(): void {
    while (this.running.size < this.options.maxInFlight && this.waiting.length > 0 && this.mayStartBeside()) {
      const batch = this.nextBatch();
      const started = { since: Date.now() };
      this.running.add(started);
      this.options
        .run(batch)
        .then(
          () => {
            // Normally none: the error (and its stack trace) is made only when a job was left unsettled.
            const left = batch.filter((pending) => !pending.settled);
            const error = left.length > 0 ? new Error('GroupCommit: the batch left this job unsettled') : undefined;
            for (const pending of left) pending.reject(error);
          },
          (error: unknown) => {
            for (const pending of batch) pending.reject(error);
          },
        )
        .finally(() => {
          this.running.delete(started);
          this.pump();
        });
    }
    if (this.waiting.length === 0) this.stopSweeper();
  }

  /**
   * Whether the waiting jobs may start a batch now (see `beside`): with none running, always. When only
   * time holds them back, a timer looks again once it has passed (no job may arrive to).
   */
  private mayStartBeside(): boolean {
    const { beside } = this.options;
    if (!beside || this.running.size === 0 || this.waiting.length >= beside.minBatch) return true;
    const now = Date.now();
    let wait = 0;
    for (const { since } of this.running) wait = Math.max(wait, beside.afterMs - (now - since));
    if (wait <= 0) return true;
    if (!this.besideTimer) {
      this.besideTimer = setTimeout(() => {
        this.besideTimer = undefined;
        this.pump();
      }, wait);
      this.besideTimer.unref();
    }
    return false;
  }

  /** The waiting jobs in order, up to maxBatch of them, never splitting what was submitted together. */
  private nextBatch(): Waiting<J, R>[] {
    let end = 0;
    while (end < this.waiting.length) {
      let next = end + 1;
      while (next < this.waiting.length && this.waiting[next].unit === this.waiting[end].unit) next++;
      if (end > 0 && next > this.options.maxBatch) break;
      end = next;
    }
    return this.waiting.splice(0, end);
  }

  private sweep(): void {
    const now = Date.now();
    while (this.waiting.length > 0 && now - this.waiting[0].since >= this.options.maxWaitMs) {
      const pending = this.waiting.shift()!;
      pending.reject(this.options.tooLong(now - pending.since));
    }
    if (this.waiting.length === 0) this.stopSweeper();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

export interface Pending<J, R> {
  job: J;
  /** Settles the caller's promise; later calls of either are ignored. */
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Waiting<J, R> extends Pending<J, R> {
  since: number;
  /** The same object for jobs submitted together. */
  unit: object;
  /** Whether resolve or reject has been called. */
  settled: boolean;
}
