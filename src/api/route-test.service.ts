import { Inject, Injectable } from '@nestjs/common';
import { ChannelCatalog } from '../channels/channel-catalog';

import { ApiError } from '../common/api-error';
import { Schemas } from '../common/api-types';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { AlertSignal, alertSignal } from '../domain/alert-signal';
import { toNotification } from '../notifications/notification-mapper';
import { SignalPreviews } from '../notifications/signal-previews';
import { createdState } from '../notifications/notification-state';
import { RoutingService } from '../routing/routing.service';
import { Holds } from '../silences/holds';
import { RouteTestNotificationDto, RouteTestRequestDto } from './deliveries.dto';
import { MessageKind, NotificationSnapshot } from '../domain/notification';

const PREVIEW_ID = '00000000-0000-4000-8000-000000000001';

/** `POST /routes/test`: the routing decision and every channel's exact message, sending nothing. */
@Injectable()
export class RouteTestService {
  constructor(
    private readonly routing: RoutingService,
    private readonly catalog: ChannelCatalog,
    private readonly sources: SignalPreviews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly holds: Holds,
  ) {}

  testRoutes(request: RouteTestRequestDto): Schemas['RouteTestResult'] {
    const payloads = request as unknown as Record<string, unknown>;
    const fields = ['notification', ...this.sources.keys()];
    const given = fields.filter((k) => payloads[k] !== undefined);
    if (given.length !== 1) {
      throw new ApiError('bad_request', `Give exactly one of ${fields.join(', ')}`, [
        { field: given.length === 0 ? 'notification' : given[1], problem: 'exactly one of them is needed' },
      ]);
    }
    const instance = request.sourceInstance ?? 'test';
    const notification =
      given[0] === 'notification'
        ? fromFields(request.notification!, instance)
        : fromSignal(this.sources.toSignal(given[0], payloads[given[0]], instance));
    const kind: MessageKind = notification.status === 'closed' ? 'resolved' : 'opened';
    const routed = this.routing.route(notification);
    return {
      notification: { ...notification, heldBy: this.holds.heldBy(notification) },
      matchedRoutes: routed.matchedRoutes,
      deliveries: routed.targets.flatMap((t) => {
        const channel = this.catalog.get(t.channel);
        if (!channel) return [];
        const preview = channel.preview([{ id: PREVIEW_ID, kind, notification }]);
        return [{ channel: t.channel, type: channel.type, route: t.route, ...preview }];
      }),
    };
  }
}

// The notification the signal would create, as the lifecycle builds it.
function fromSignal(signal: AlertSignal): NotificationSnapshot {
  const row = createdState(PREVIEW_ID, signal, signal.action === 'close' ? 'closed' : 'open', new Date());
  return toNotification({ ...row, acknowledgement: null, externalRefs: [] });
}

function fromFields(n: RouteTestNotificationDto, instance: string): NotificationSnapshot {
  const closed = n.status === 'closed';
  return fromSignal(
    alertSignal({
      source: n.source,
      sourceInstance: n.sourceInstance ?? instance,
      externalId: 'route-test',
      action: closed ? 'close' : 'open',
      severity: n.severity,
      sourceState: n.sourceState ?? n.severity.toUpperCase(),
      title: n.title,
      message: n.message ?? null,
      host: n.host ?? null,
      tags: n.tags ?? [],
      metadata: n.metadata ?? {},
      closeReason: closed ? 'route test' : null,
      payload: null,
    }),
  );
}
