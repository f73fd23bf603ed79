import { logLine, RequestRef } from '../common/http-logger';
import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { Schemas } from '../common/api-types';
import { Clock } from '../common/clock';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { isEmptyMatch, RouteMatchConfig } from '../config/routes.config';
import { HoldReleaseService } from './hold-release.service';
import { Holds } from './holds';
import { SilenceEntity } from './silence.entity';
import { SilencesRepository, SilenceState } from './silences.repository';

/** A new silence as the API validated it: matchers normalised to lists. */
export interface SilenceInput {
  matchers: RouteMatchConfig;
  startsAt?: string;
  endsAt: string;
  comment: string;
  createdBy: string;
}

const SILENCES = 's1';

/** The silences API: create, list, read, end. */
@Injectable()
export class SilencesService {
  private readonly logger = new Logger('Silences');

  constructor(
    private readonly repository: SilencesRepository,
    private readonly holds: Holds,
    private readonly release: HoldReleaseService,
    private readonly clock: Clock,
  ) {}

  async createSilence(input: SilenceInput, apiKeyName: string, request?: RequestRef): Promise<Schemas['Silence']> {
    const now = this.clock.now();
    const startsAt = input.startsAt === undefined ? now : new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    const problems: Schemas['ErrorDetail'][] = [];
    if (isEmptyMatch(input.matchers)) {
      problems.push({ field: 'matchers', problem: 'needs at least one key (a silence of everything is source: "*")' });
    }
    if (endsAt.getTime() <= now.getTime()) problems.push({ field: 'endsAt', problem: 'is in the past' });
    else if (endsAt.getTime() <= startsAt.getTime())
      problems.push({ field: 'endsAt', problem: 'must be after startsAt' });
    if (problems.length > 0) throw new ApiError('validation_failed', 'The silence cannot be created', problems);
    const silence = await this.repository.create({
      matchers: compact(input.matchers),
      startsAt,
      endsAt,
      comment: input.comment,
      createdBy: input.createdBy,
      createdAt: now,
      createdWith: apiKeyName,
    });
    // This replica holds by it before the answer; the others as soon as they hear the NOTIFY.
    await this.holds.refresh();
    this.logger.log(
      logLine(
        `silence ${silence.id} created by ${silence.createdBy} (API key ${apiKeyName}) ` +
          `from ${startsAt.toISOString()} until ${endsAt.toISOString()}: ${JSON.stringify(silence.matchers)}`,
        request,
      ),
    );
    return toSilence(silence, now);
  }

  async getSilence(id: string): Promise<Schemas['Silence']> {
    const silence = await this.repository.findById(id);
    if (!silence) throw new ApiError('not_found', `No silence ${id}`);
    return toSilence(silence, this.clock.now());
  }

  async listSilences(query: { state?: SilenceState; limit: number; cursor?: string }): Promise<Schemas['SilencePage']> {
    const now = this.clock.now();
    const after = query.cursor === undefined ? undefined : decodeSilencesCursor(query.cursor);
    const rows = await this.repository.list(query.state, now, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((s) => toSilence(s, now)),
      nextCursor:
        rows.length > query.limit && last ? encodeCursor(SILENCES, [last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /** Ends it now; what it held is released at once (HoldReleaseService, on every replica). */
  async deleteSilence(id: string, apiKeyName: string, request?: RequestRef): Promise<Schemas['Silence']> {
    const now = this.clock.now();
    const before = await this.repository.findById(id);
    if (!before) throw new ApiError('not_found', `No silence ${id}`);
    const silence = await this.repository.end(id, now, apiKeyName);
    if (!silence) throw new ApiError('not_found', `No silence ${id}`);
    if (before.endsAt.getTime() > now.getTime()) {
      await this.holds.refresh();
      this.release.kick();
      this.logger.log(logLine(`silence ${id} ended early (API key ${apiKeyName})`, request));
    }
    return toSilence(silence, now);
  }
}

function toSilence(s: SilenceEntity, now: Date): Schemas['Silence'] {
  return {
    id: s.id,
    matchers: s.matchers,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    comment: s.comment,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    state: stateAt(s, now),
  };
}

function stateAt(s: SilenceEntity, now: Date): SilenceState {
  if (s.endsAt.getTime() <= now.getTime()) return 'expired';
  return s.startsAt.getTime() > now.getTime() ? 'pending' : 'active';
}

// Only the keys given: the stored matchers read back as they were meant.
function compact(match: RouteMatchConfig): RouteMatchConfig {
  return Object.fromEntries(Object.entries(match).filter(([, value]) => value !== undefined));
}

// ["s1", createdAt, id] of the last silence returned (newest first).
function decodeSilencesCursor(cursor: string): { createdAt: Date; id: string } {
  const decoded = decodeCursor(cursor, 2);
  const [createdAt, id] = decoded?.position ?? [];
  const valid =
    decoded?.tag === SILENCES &&
    !Number.isNaN(Date.parse(createdAt)) &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  if (!valid) {
    throw new ApiError('bad_request', 'cursor is not valid', [
      { field: 'cursor', problem: 'must be a nextCursor returned by this API' },
    ]);
  }
  return { createdAt: new Date(createdAt), id };
}
