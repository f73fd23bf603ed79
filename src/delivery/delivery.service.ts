import { Injectable, Logger } from '@nestjs/common';
import { ChannelCatalog, ChannelSettings } from '../channels/channel-catalog';
import { testNotification } from '../channels/common/render';
import { ApiError } from '../common/api-error';
import { Schemas } from '../common/api-types';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { channelStatus } from './admission';
import { ChannelStateRepository } from './channel-state.repository';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryStatus } from '../domain/notification';

/** The deliveries and channels API. */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly catalog: ChannelCatalog,
    private readonly channelState: ChannelStateRepository,
  ) {}

  /** Every delivery of a notification, with its attempts (the caller knows the notification exists). */
  async listNotificationDeliveries(notificationId: string): Promise<Schemas['DeliveryList']> {
    const deliveries = await this.repository.findByNotification(notificationId);
    const attempts = await this.repository.attemptsOf(deliveries.map((d) => d.id));
    return {
      items: deliveries.map((d) =>
        toDelivery(
          d,
          attempts.filter((a) => a.deliveryId === d.id),
        ),
      ),
    };
  }

  async listDeliveries(query: {
    status?: DeliveryStatus;
    channel?: string;
    digestId?: string;
    limit: number;
    cursor?: string;
  }): Promise<Schemas['DeliveryPage']> {
    const after = query.cursor === undefined ? undefined : decodeDeliveriesCursor(query.cursor);
    const rows = await this.repository.list(query, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((d) => toDelivery(d)),
      nextCursor: rows.length > query.limit ? encodeCursor(DELIVERIES, [page[page.length - 1].sequence]) : null,
    };
  }

  async retryDelivery(id: string): Promise<Schemas['Delivery']> {
    const existing = await this.repository.findById(id);
    if (!existing) throw new ApiError('not_found', `No delivery ${id}`);
    const channel = this.catalog.get(existing.channel);
    if (!channel) throw new ApiError('conflict', `Channel ${existing.channel} is no longer configured`);
    const disabled = await this.channelState.disabledReason(channel.name);
    if (disabled !== null) {
      throw new ApiError(
        'conflict',
        `Channel ${channel.name} is disabled (${disabled}); enable it first (POST /api/v1/channels/${channel.name}/enable)`,
      );
    }
    const replayed = await this.repository.replay(id, channel.maxAgeMs);
    if (!replayed) {
      throw new ApiError(
        'conflict',
        `Delivery ${id} is ${existing.status}; only dead, delivered and superseded deliveries can be replayed`,
      );
    }
    return toDelivery(replayed);
  }

  /** Every configured channel with its shared state (circuit, disabled), the same on every replica. */
  async listChannels(): Promise<Schemas['ChannelList']> {
    const { states, now } = await this.channelState.all();
    const byName = new Map(states.map((s) => [s.channel, s]));
    return { items: this.catalog.all().map((c) => toChannel(c, channelStatus(byName.get(c.name), now))) };
  }

  /** Enables a channel that a 410 Gone disabled, for every replica; new deliveries go out again. */
  async enableChannel(name: string): Promise<Schemas['Channel']> {
    const channel = this.catalog.get(name);
    if (!channel) throw new ApiError('not_found', `No channel named ${name}`);
    const before = await this.channelState.enable(name);
    if (before?.disabledAt) {
      this.logger.log({
        msg: 'channel enabled',
        channel: name,
        disabledAt: before.disabledAt.toISOString(),
        reason: before.disabledReason,
      });
    }
    return toChannel(channel, { circuit: 'closed', disabled: null });
  }

  async testChannel(name: string): Promise<Schemas['ChannelTestResult']> {
    const channel = this.catalog.get(name);
    if (!channel) throw new ApiError('not_found', `No channel named ${name}`);
    const started = Date.now();
    const result = await channel.send([
      { id: crypto.randomUUID(), kind: 'test', notification: testNotification(new Date()) },
    ]);
    return {
      channel: name,
      outcome: result.outcome,
      statusCode: result.statusCode,
      durationMs: Date.now() - started,
      error: result.error ?? null,
      response: result.response ?? null,
    };
  }
}

function toChannel(c: ChannelSettings, status: ReturnType<typeof channelStatus>): Schemas['Channel'] {
  return {
    name: c.name,
    type: c.type,
    target: c.target,
    rateLimit: { perSecond: c.rateLimit.perSecond, burst: c.rateLimit.burst },
    ...status,
  };
}

const DELIVERIES = 'd1';

// ["d1", sequence] of the last delivery returned (newest first).
function decodeDeliveriesCursor(cursor: string): string {
  const decoded = decodeCursor(cursor, 1);
  const sequence = decoded?.position[0] ?? '';
  if (decoded?.tag !== DELIVERIES || !/^[1-9][0-9]{0,18}$/.test(sequence)) {
    throw new ApiError('bad_request', 'cursor is not valid', [
      { field: 'cursor', problem: 'must be a nextCursor returned by this API' },
    ]);
  }
  return sequence;
}

function toDelivery(d: DeliveryEntity, attempts?: DeliveryAttemptEntity[]): Schemas['Delivery'] {
  const inFlight = d.status === 'pending' && d.leasedUntil !== null && d.leasedUntil.getTime() > Date.now();
  return {
    id: d.id,
    notificationId: d.notificationId,
    channel: d.channel,
    revision: d.revision,
    kind: d.kind,
    status: d.status,
    inFlight,
    route: d.route,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    expiresAt: d.expiresAt.toISOString(),
    completedAt: d.completedAt?.toISOString() ?? null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    hold: d.hold,
    digestId: d.digestId,
    ...(attempts
      ? {
          attemptLog: attempts.map((a) => ({
            attempt: a.attempt,
            startedAt: a.startedAt.toISOString(),
            durationMs: a.durationMs,
            outcome: a.outcome,
            statusCode: a.statusCode,
            error: a.error,
            response: a.response,
            worker: a.worker,
          })),
        }
      : {}),
  };
}
