/**
 * Group commit: callers submit jobs one at a time; at most `maxInFlight` batches run at once, and every
 * job that arrives while they are all busy waits for the next batch, which takes up to `maxBatch` of the
 * waiting jobs in arrival order. An idle service therefore runs each job alone, at once, and a busy one
 * shares a transaction, its round trips and its commit among many jobs, without a timer anywhere.
 *
 * `run` settles every job of its batch through the job's own resolve/reject; when `run` itself rejects,
 * every job it left unsettled is rejected with that error, so no caller waits forever.
 */
export class GroupCommit<J, R> {
  private readonly waiting: Pending<J, R>[] = [];
  private inFlight = 0;

  constructor(
    /** Batches that run at once; more jobs than this wait and form the next batch. */
    readonly maxInFlight: number,
    private readonly maxBatch: number,
    private readonly run: (batch: Pending<J, R>[]) => Promise<void>,
  ) {
    if (maxInFlight < 1 || maxBatch < 1) throw new Error('GroupCommit: maxInFlight and maxBatch must be at least 1');
  }

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      this.waiting.push({
        job,
        resolve: (value) => {
          if (settled) return;
          settled = true;
          resolve(value);
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown
          reject(error);
        },
      });
      this.pump();
    });
  }

  /** Jobs waiting for a batch (not counting the ones running). */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch)
        .catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

export interface Pending<J, R> {
  job: J;
  /** Settles the caller's promise; later calls of either are ignored. */
  resolve(value: R): void;
  reject(error: unknown): void;
}
