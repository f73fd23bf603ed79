import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { errorText } from '../common/errors';
import { DATABASE_TARGET, DatabaseTarget } from './database-target';

/**
 * What a commit can wake: the delivery workers (new outbox rows), change-feed long-polls (new events),
 * the silences cache and the release of held deliveries (a silence created or ended).
 */
export type CommitTopic = 'deliveries' | 'events' | 'silences';

// The NOTIFY channel of each topic that other replicas must hear of. Feed long-polls of other replicas
// poll instead (their wait is bounded), so only deliveries and silences go through PostgreSQL.
const CHANNELS: Partial<Record<CommitTopic, string>> = {
  deliveries: 'alert_relay_deliveries',
  silences: 'alert_relay_silences',
};

/**
 * "Something was committed" signals. In-process listeners hear a commit of this process at once; on
 * PostgreSQL, `notifySql` inside the transaction reaches every replica through LISTEN/NOTIFY at commit
 * (PGlite's NOTIFY reaches no other socket client: there the in-process signal is the only one). A
 * topic heard through LISTEN is not signalled in-process as well: one commit, one wake-up.
 */
@Injectable()
export class CommitSignals implements OnApplicationShutdown {
  private readonly logger = new Logger('CommitSignals');
  private readonly emitter = new EventEmitter();
  private listener: Client | undefined;
  private readonly listening = new Set<CommitTopic>();

  constructor(@Inject(DATABASE_TARGET) private readonly target: DatabaseTarget) {
    this.emitter.setMaxListeners(0);
  }

  /** The statement that tells every replica at commit; null when the topic is in-process only. */
  notifySql(topic: CommitTopic): string | null {
    const channel = CHANNELS[topic];
    return channel ? `SELECT pg_notify('${channel}', '')` : null;
  }

  /** Call after a commit of this process that concerns `topic`. */
  committed(topic: CommitTopic): void {
    if (!this.listening.has(topic)) this.emitter.emit(topic);
  }

  on(topic: CommitTopic, listener: () => void): void {
    this.emitter.on(topic, listener);
  }

  off(topic: CommitTopic, listener: () => void): void {
    this.emitter.off(topic, listener);
  }

  /** Resolves on the next signal of `topic`, after `ms`, or when `abort` fires, whichever comes first. */
  next(topic: CommitTopic, ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        abort?.removeEventListener('abort', wake);
        this.emitter.off(topic, wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      abort?.addEventListener('abort', wake, { once: true });
      this.emitter.on(topic, wake);
    });
  }

  /** Wakes every waiter of `topic` now (shutdown: long-polls answer instead of holding it up). */
  wakeAll(topic: CommitTopic): void {
    this.emitter.emit(topic);
  }

  /**
   * On PostgreSQL, LISTEN for `topic` so that commits of every replica signal it here. Without it (the
   * embedded database, or LISTEN failing) this replica hears its own commits only; callers poll too.
   */
  async listen(topic: CommitTopic): Promise<void> {
    const channel = CHANNELS[topic];
    if (!channel || this.target.kind !== 'postgres' || this.listening.has(topic)) return;
    try {
      this.listener ??= await this.connect();
      await this.listener.query(`LISTEN ${channel}`);
      this.listening.add(topic);
    } catch (error) {
      this.logger.warn(`cannot LISTEN for ${topic} (${errorText(error)}); polling`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.listening.clear();
    await listener?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.target.url, application_name: 'alert-relay-listener' });
    client.on('error', (error) => {
      this.logger.warn(`listener connection lost (${error.message}); falling back to polling`);
      this.listening.clear();
      this.listener = undefined;
    });
    client.on('notification', (message) => {
      for (const [topic, channel] of Object.entries(CHANNELS)) {
        if (channel === message.channel) this.emitter.emit(topic);
      }
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }
}
