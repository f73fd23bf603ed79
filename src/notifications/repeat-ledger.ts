import { Injectable } from '@nestjs/common';
import { AlertSignal } from '../domain/alert-signal';
import { decide } from './lifecycle';
import { lockKey } from './notification-sql';
import { LifecycleRow } from './notification-state';

/** A repeat answered from memory whose lastSeenAt/duplicateCount are still to be written. */
export interface PendingRepeat {
  /** The notification it was counted on, at the revision this process last saw committed. */
  id: string;
  revision: number;
  /** How many repeats, and when the last one arrived. */
  count: number;
  at: Date;
  /** The id's lock key (`lockKey`). */
  key: string;
  /**
   * The last repeat itself: applied through the lifecycle when the row has moved on meanwhile. Made
   * when needed from the body it came in (`answerBody`), as the ingress would have made it.
   */
  signal: () => AlertSignal;
}

interface Entry {
  fingerprint: string;
  id: string;
  revision: number;
}

/** A request body whose message the ledger remembered: the id, and what the message would be decided on. */
interface KnownBody {
  key: string;
  fingerprint: string;
  source: string;
  sourceInstance: string;
  externalId: string;
}

/** Who a repeat answered from memory came from: what its answer is counted and logged under. */
export type RepeatOrigin = Pick<AlertSignal, 'source' | 'sourceInstance' | 'externalId'>;

// Ids remembered at most, and bodies (a few MiB each with long titles); the least recently committed or
// repeated are forgotten first (a forgotten id's repeat takes the normal path). A periodic repeater such
// as Monasca resends its active alarms: thousands, not more.
const MAX_ENTRIES = 10_000;

/**
 * What a repeat of the last message this process committed for an id would be. The lifecycle decides a
 * message on its id's newest row by source time, state and title only (lifecycle.ts); when the row a
 * message left would decide that same message a `duplicate`, a repeat of it (the same fingerprint) is
 * a duplicate for as long as the row does not change, and it is answered from here without a
 * transaction: its lastSeenAt/duplicateCount are coalesced per notification and written by the
 * RepeatFlusher in one statement at least once a second.
 *
 * This process knows of every change it commits (`committed`, from the change repository) and of every
 * message it has in flight for an id (`begin`/`end`): while one is in flight, repeats of that id take
 * the normal path. Another replica's changes it learns of only at the flush, whose update is
 * conditional on the revision counted on: a notification that moved on gets the last repeat applied
 * through the lifecycle then (stale, an update or a duplicate, as it would have been), its counts
 * are not added, and the id is forgotten. Messages without a source time (mail) are never answered
 * here: for them the lifecycle's answer depends on arrival order alone.
 */
@Injectable()
export class RepeatLedger {
  private readonly entries = new Map<string, Entry>();
  /** Request bodies (`bodyKey`) of remembered messages: a repeat of one is answered before it is mapped. */
  private readonly bodies = new Map<string, KnownBody>();
  private readonly inFlight = new Map<string, number>();
  private pending = new Map<string, PendingRepeat>();
  /** Revisions this process moved a notification on from (id@revision → the revision it left). */
  private readonly moved = new Map<string, number>();
  private answering = true;

  /**
   * A duplicate answered from memory and counted for the next flush, or null: take the normal path.
   */
  answer(signal: AlertSignal, now: Date): { id: string; revision: number } | null {
    return this.answerFor(lockKey(signal.source, signal.externalId), fingerprint(signal), () => signal, now);
  }

  /**
   * The same for a request body seen before (`bodyKey`: the ingress, the credential's name and a digest
   * of the bytes), before it is validated and mapped: the same bytes with the same credential make the
   * same message, so it is answered exactly when that message would be. `signal` makes it again, should
   * the flush need it. Null: take the normal path, and `rememberBody` afterwards.
   */
  answerBody(
    bodyKey: string,
    signal: () => AlertSignal,
    now: Date,
  ): { id: string; revision: number; origin: RepeatOrigin } | null {
    const known = this.bodies.get(bodyKey);
    if (!known) return null;
    // Its message is no longer what a repeat of the id would be (the id moved on, or was forgotten).
    if (this.entries.get(known.key)?.fingerprint !== known.fingerprint) {
      this.bodies.delete(bodyKey);
      return null;
    }
    const answered = this.answerFor(known.key, known.fingerprint, signal, now);
    if (!answered) return null;
    // Last forgotten, as the ids are.
    this.bodies.delete(bodyKey);
    this.bodies.set(bodyKey, known);
    return { ...answered, origin: known };
  }

  /**
   * `bodyKey` carried `signal`, which the normal path has just decided: when the ledger remembers that
   * message, a repeat of the body is answered by `answerBody` from now on.
   */
  rememberBody(bodyKey: string, signal: AlertSignal): void {
    const key = lockKey(signal.source, signal.externalId);
    const entry = this.entries.get(key);
    if (!entry || entry.fingerprint !== fingerprint(signal)) return;
    const { source, sourceInstance, externalId } = signal;
    this.bodies.delete(bodyKey);
    // The entry's own fingerprint string, not a second copy of it (it holds the title).
    this.bodies.set(bodyKey, { key, fingerprint: entry.fingerprint, source, sourceInstance, externalId });
    if (this.bodies.size > MAX_ENTRIES) this.bodies.delete(this.bodies.keys().next().value!);
  }

  /** Whether any body is known (`answerBody` can answer at all). */
  get knowsBodies(): boolean {
    return this.bodies.size > 0;
  }

  private answerFor(
    key: string,
    print: string,
    signal: () => AlertSignal,
    now: Date,
  ): { id: string; revision: number } | null {
    if (!this.answering) return null;
    if (this.inFlight.has(key)) return null;
    const entry = this.entries.get(key);
    if (!entry || entry.fingerprint !== print) return null;
    // Last forgotten: an id that keeps repeating stays remembered however many others come and go.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const counted = this.pending.get(pendingKey(entry));
    if (counted) {
      counted.count++;
      counted.at = now;
      counted.signal = signal;
    } else {
      this.pending.set(pendingKey(entry), { id: entry.id, revision: entry.revision, count: 1, at: now, key, signal });
    }
    return { id: entry.id, revision: entry.revision };
  }

  /** A message for these ids goes the normal path: until `end`, their repeats do too. */
  begin(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  end(key: string): void {
    const n = (this.inFlight.get(key) ?? 1) - 1;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  /**
   * This process committed a change of `key`: `read` is the row it was decided on, `row` the row it
   * left, `signal` the message (absent for changes by hand, which are never remembered).
   */
  committed(key: string, read: LifecycleRow | null, row: LifecycleRow | null, signal: AlertSignal | undefined): void {
    // Repeats counted on the revision this change was decided on were duplicates then, and their counts
    // add up with the change's: they are written on the revision it left.
    if (read && row && row.id === read.id && row.revision !== read.revision) {
      this.moved.set(pendingKey(read), row.revision);
      if (this.moved.size > MAX_ENTRIES) this.moved.delete(this.moved.keys().next().value!);
      const counted = this.pending.get(pendingKey(read));
      if (counted) {
        this.pending.delete(pendingKey(read));
        this.add({ ...counted, revision: row.revision });
      }
    }
    this.entries.delete(key);
    if (!signal || !row || !remembered(signal) || decide(row, signal).kind !== 'duplicate') return;
    this.entries.set(key, { fingerprint: fingerprint(signal), id: row.id, revision: row.revision });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets what a repeat of `key` would be (its notification moved on elsewhere). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Hands the counted repeats to the flusher. */
  takePending(): PendingRepeat[] {
    const taken = [...this.pending.values()];
    this.pending = new Map();
    return taken;
  }

  /**
   * A flush found `repeat`'s notification past the revision it was counted on. When this process itself
   * moved it on (its change was decided on that revision, so the repeats came before it), they are
   * counted again on the revision it left, for the next flush, and this returns true; otherwise
   * another replica changed it, and this returns false.
   */
  movedOnHere(repeat: PendingRepeat): boolean {
    let revision = repeat.revision;
    for (let next; (next = this.moved.get(pendingKey({ id: repeat.id, revision }))) !== undefined;) revision = next;
    if (revision === repeat.revision) return false;
    this.add({ ...repeat, revision });
    return true;
  }

  /** A flush failed: its repeats are counted again (added to any counted since). */
  restore(repeats: PendingRepeat[]): void {
    for (const repeat of repeats) this.add(repeat);
  }

  private add(repeat: PendingRepeat): void {
    const since = this.pending.get(pendingKey(repeat));
    if (!since) {
      this.pending.set(pendingKey(repeat), repeat);
      return;
    }
    since.count += repeat.count;
    if (repeat.at > since.at) {
      since.at = repeat.at;
      since.signal = repeat.signal;
    }
  }

  /** From now on every message takes the normal path (shutdown: the last flush is under way). */
  stopAnswering(): void {
    this.answering = false;
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}

function pendingKey(at: { id: string; revision: number }): string {
  return `${at.id}@${at.revision}`;
}

/** Whether a repeat of this message can be answered from memory at all (see RepeatLedger). */
function remembered(signal: AlertSignal): boolean {
  return signal.sourceTime !== null;
}

/** What the lifecycle decides a message on: two messages with one fingerprint are decided alike. */
function fingerprint(signal: AlertSignal): string {
  return [
    signal.action,
    signal.sourceTime?.getTime() ?? '',
    signal.oneShot ? 1 : 0,
    signal.reopenAfterClose ? 1 : 0,
    signal.sourceState,
    signal.title,
  ].join('\n');
}
