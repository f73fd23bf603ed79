import { RequestRef } from '../../common/http-logger';
import { Injectable } from '@nestjs/common';
import { Schemas } from '../../common/api-types';

import { AlertSignal, alertSignal } from '../../domain/alert-signal';
import { NotificationsService } from '../../notifications/notifications.service';
import { SignalPreviews } from '../../notifications/signal-previews';
import { tagList } from '../common/tags';
import { StackStateEnvelopeDto } from './stackstate.dto';
import { Severity } from '../../domain/notification';

const SEVERITY: Record<string, Severity> = { CRITICAL: 'critical', DEVIATING: 'warning' };

@Injectable()
export class StackStateService {
  constructor(
    private readonly notifications: NotificationsService,
    previews: SignalPreviews,
  ) {
    previews.register({ key: 'stackstate', dto: StackStateEnvelopeDto, toSignal });
  }

  receiveStackStateEvent(
    envelope: StackStateEnvelopeDto,
    raw: unknown,
    sourceInstance: string,
    request?: RequestRef,
  ): Promise<Schemas['IngestResult']> {
    return this.notifications.ingest(toSignal(envelope, raw, sourceInstance), request);
  }
}

/** StackState's envelope as a lifecycle signal, keyed by `notificationId` (docs/sources.md, "StackState"). */
export function toSignal(envelope: StackStateEnvelopeDto, raw: unknown, sourceInstance: string): AlertSignal {
  const { event, monitor, component } = envelope;
  const links = [
    ...(monitor.link ? [{ rel: 'monitor', href: monitor.link }] : []),
    { rel: 'component', href: component.link },
  ];
  const common = {
    source: 'stackstate',
    sourceInstance,
    externalId: envelope.notificationId.toLowerCase(),
    component: { name: component.name, type: component.type, identifier: component.identifier, link: component.link },
    host: component.name,
    tags: tagList(component.tags),
    metadata: envelope.metadata ?? envelope.tags ?? {},
    links,
    payload: raw,
  };
  if (event.type === 'open') {
    return alertSignal({
      ...common,
      action: 'open',
      sourceTime: new Date(event.triggeredTimeMs),
      severity: SEVERITY[event.state] ?? 'unknown',
      sourceState: event.state,
      title: event.title,
      message: event.reason ?? null,
    });
  }
  // A close says only why; title and severity of a close for an unknown id come from the monitor.
  return alertSignal({
    ...common,
    action: 'close',
    severity: 'unknown',
    sourceState: 'CLOSED',
    title: monitor.name,
    closeReason: event.reason,
  });
}
