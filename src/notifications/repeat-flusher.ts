import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { errorText } from '../common/errors';
import { ChangeRepository } from './change.repository';
import { LifecyclePlanner } from './lifecycle-planner';
import { PendingRepeat, RepeatLedger } from './repeat-ledger';

/**
 * How often the repeats answered from memory are written. A repeat's lastSeenAt and duplicateCount are
 * durable within this plus one statement's time (docs/design-notes.md, "Phase 2"): a crash loses at most
 * that much of them, never a message that changes anything.
 */
export const REPEAT_FLUSH_MS = 500;

// The coalesced repeats of many notifications in one statement, each only on the revision it was counted
// on: a notification that moved on (another replica's change) is not counted, and comes back unmatched.
const FLUSH_REPEATS = `WITH written AS (UPDATE notifications n
  SET last_seen_at = greatest(n.last_seen_at, r.at), duplicate_count = n.duplicate_count + r.count,
      version = n.version + r.count
  FROM unnest($1::uuid[], $2::int[], $3::int[], $4::timestamptz[]) AS r(id, revision, count, at)
  WHERE n.id = r.id AND n.revision = r.revision
  RETURNING n.id, n.revision) SELECT id, revision FROM written`;

/** Writes what the RepeatLedger counted: on a timer, and a last time on a graceful shutdown. */
@Injectable()
export class RepeatFlusher implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RepeatFlusher');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: RepeatLedger,
    private readonly changes: ChangeRepository,
    private readonly planner: LifecyclePlanner,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), REPEAT_FLUSH_MS);
    this.timer.unref();
  }

  /** Stops answering repeats from memory, then writes what was counted (the HTTP server may still take some). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.ledger.stopAnswering();
    await this.running;
    await this.flush();
    if (this.ledger.pendingCount > 0) {
      this.logger.warn(`${this.ledger.pendingCount} notifications' repeat counts could not be written at shutdown`);
    }
  }

  /**
   * Before a read of notifications: writes every repeat counted so far, so that this replica's answers
   * show them at once (other replicas' within the bound).
   */
  async settle(): Promise<void> {
    while (this.running) await this.running;
    if (this.ledger.pendingCount > 0) await this.flush();
  }

  /** Writes the counted repeats now (one at a time: a flush still running is waited for). */
  flush(): Promise<void> {
    this.running ??= this.write().finally(() => (this.running = undefined));
    return this.running;
  }

  private async write(): Promise<void> {
    const repeats = this.ledger.takePending();
    if (repeats.length === 0) return;
    let written: { id: string; revision: number }[];
    try {
      written = await this.dataSource.query(FLUSH_REPEATS, [
        repeats.map((r) => r.id),
        repeats.map((r) => r.revision),
        repeats.map((r) => r.count),
        repeats.map((r) => r.at),
      ]);
    } catch (error) {
      this.ledger.restore(repeats);
      this.logger.warn(`writing ${repeats.length} notifications' repeats failed (${errorText(error)}); retrying`);
      return;
    }
    const matched = new Set(written.map((w) => `${w.id}@${w.revision}`));
    const unmatched = repeats.filter((r) => !matched.has(`${r.id}@${r.revision}`) && !this.ledger.movedOnHere(r));
    await Promise.all(unmatched.map((r) => this.reapply(r)));
  }

  /**
   * The notification moved on since the repeat was counted (another replica changed it): the repeat is
   * applied through the lifecycle now, as any message, and the id is no longer answered from memory.
   */
  private async reapply(repeat: PendingRepeat): Promise<void> {
    this.ledger.forget(repeat.key);
    try {
      await this.changes.apply(this.planner.request(repeat.signal(), repeat.at));
    } catch (error) {
      this.logger.warn(`a repeat for notification ${repeat.id} could not be applied again (${errorText(error)})`);
    }
  }
}
