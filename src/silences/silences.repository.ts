import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Schemas } from '../common/api-types';
import { RouteMatchConfig } from '../config/routes.config';
import { CommitSignals } from '../database/commit-signals';
import { SilenceRule } from './hold-rules';
import { SilenceEntity } from './silence.entity';

export type SilenceState = Schemas['SilenceState'];

// A state at a time (:now), as SQL on starts_at and ends_at.
const STATE_SQL: Record<SilenceState, string> = {
  pending: 's.starts_at > :now',
  active: 's.starts_at <= :now AND s.ends_at > :now',
  expired: 's.ends_at <= :now',
};

export const SILENCE_STATES = Object.keys(STATE_SQL) as SilenceState[];

/** The silences table. Every write also tells every replica (NOTIFY), so their holds follow at once. */
@Injectable()
export class SilencesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signals: CommitSignals,
  ) {}

  async create(silence: Omit<SilenceEntity, 'id' | 'endedWith'>): Promise<SilenceEntity> {
    const created = await this.dataSource.transaction(async (tx) => {
      const saved = await tx.getRepository(SilenceEntity).save({ ...silence, endedWith: null });
      await this.notify(tx);
      return saved;
    });
    this.signals.committed('silences');
    return created;
  }

  findById(id: string): Promise<SilenceEntity | null> {
    return this.dataSource.getRepository(SilenceEntity).findOneBy({ id });
  }

  /** Newest first; `after` is the (createdAt, id) of the last one of the previous page. */
  list(
    state: SilenceState | undefined,
    now: Date,
    after: { createdAt: Date; id: string } | undefined,
    limit: number,
  ): Promise<SilenceEntity[]> {
    const qb = this.dataSource.getRepository(SilenceEntity).createQueryBuilder('s');
    if (state) qb.andWhere(STATE_SQL[state], { now });
    if (after) qb.andWhere('(s.created_at, s.id) < (:createdAt, :id)', after);
    return qb.orderBy('s.created_at', 'DESC').addOrderBy('s.id', 'DESC').limit(limit).getMany();
  }

  /**
   * Ends a silence now: a pending one never starts (its start moves to now as well). Null when there is
   * no such silence; the silence unchanged when it had already ended.
   */
  async end(id: string, now: Date, apiKeyName: string): Promise<SilenceEntity | null> {
    const ended = await this.dataSource.transaction(async (tx) => {
      const rows: unknown[] = await tx.query(
        `UPDATE silences SET ends_at = $2, starts_at = LEAST(starts_at, $2), ended_with = $3
          WHERE id = $1 AND ends_at > $2 RETURNING id`,
        [id, now, apiKeyName],
      );
      if (rows.length > 0) await this.notify(tx);
      return rows.length > 0;
    });
    if (ended) this.signals.committed('silences');
    return this.findById(id);
  }

  /** The silences that have not ended at `now` (those still to start too), as the hold rules take them. */
  async unexpired(now: Date, manager: EntityManager = this.dataSource.manager): Promise<SilenceRule[]> {
    const rows: { id: string; matchers: RouteMatchConfig; starts_at: Date; ends_at: Date }[] = await manager.query(
      'SELECT id, matchers, starts_at, ends_at FROM silences WHERE ends_at > $1',
      [now],
    );
    return rows.map((r) => ({ id: r.id, match: r.matchers, startsAt: r.starts_at, endsAt: r.ends_at }));
  }

  private async notify(tx: EntityManager): Promise<void> {
    const notify = this.signals.notifySql('silences');
    if (notify) await tx.query(notify);
  }
}
