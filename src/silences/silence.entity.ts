import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { RouteMatchConfig } from '../config/routes.config';

/** A silence made through the API: it holds back what `matchers` match from `startsAt` until `endsAt`. */
@Entity({ name: 'silences' })
// The holds cache reads the silences that have not ended; the list pages newest first.
@Index('silences_ends_at_idx', ['endsAt'])
@Index('silences_created_at_idx', ['createdAt'])
export class SilenceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** A route's `match`, every key as a list (as validated and normalised by the API). */
  @Column({ type: 'jsonb' })
  matchers: RouteMatchConfig;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  /** Moved to the time of `DELETE` when a silence is ended early. */
  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt: Date;

  @Column({ type: 'text' })
  comment: string;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The API key that created it. */
  @Column({ name: 'created_with', type: 'varchar', length: 64 })
  createdWith: string;

  /** The API key that ended it early with `DELETE`; null while it runs its course. */
  @Column({ name: 'ended_with', type: 'varchar', length: 64, nullable: true })
  endedWith: string | null;
}
