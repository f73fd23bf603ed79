import { RequestRef } from '../../common/http-logger';
import { Inject, Injectable } from '@nestjs/common';
import { Schemas } from '../../common/api-types';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

import { AlertSignal, alertSignal } from '../../domain/alert-signal';
import { NotificationsService } from '../../notifications/notifications.service';
import { SignalPreviews } from '../../notifications/signal-previews';
import { MonascaAlarmDto } from './monasca.dto';
import { Severity } from '../../domain/notification';

@Injectable()
export class MonascaService {
  /** The severity of ALARM per configured key name (Monasca sends none). */
  private readonly alarmSeverity: Map<string, Severity>;

  constructor(
    private readonly notifications: NotificationsService,
    previews: SignalPreviews,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.alarmSeverity = new Map(config.ingress.monasca.keys.map((k) => [k.name, k.alarmSeverity ?? 'critical']));
    previews.register({
      key: 'monasca',
      dto: MonascaAlarmDto,
      toSignal: (alarm, raw, name) => this.toSignal(alarm, raw, name),
    });
  }

  receiveMonascaAlarm(
    alarm: MonascaAlarmDto,
    raw: unknown,
    sourceInstance: string,
    request?: RequestRef,
  ): Promise<Schemas['IngestResult']> {
    return this.notifications.ingest(this.toSignal(alarm, raw, sourceInstance), request);
  }

  private toSignal(alarm: MonascaAlarmDto, raw: unknown, sourceInstance: string): AlertSignal {
    return toSignal(alarm, raw, sourceInstance, this.alarmSeverity.get(sourceInstance) ?? 'critical');
  }
}

/**
 * Monasca's alarm as a lifecycle signal keyed by `alarm_id`: ALARM/UNDETERMINED open or update, OK
 * closes, and an ALARM after OK opens anew (docs/sources.md, "Monasca"). The body carries no severity.
 */
export function toSignal(
  alarm: MonascaAlarmDto,
  raw: unknown,
  sourceInstance: string,
  alarmSeverity: Severity,
): AlertSignal {
  const dimensions = alarm.metrics.map((m) => m.dimensions ?? {});
  const host = dimensions.map((d) => d.hostname).find((h) => typeof h === 'string' && h.length > 0) ?? null;
  const tags = [...new Set(dimensions.flatMap((d) => Object.entries(d).map(([k, v]) => `${k}:${v}`)))];
  const metricNames = [...new Set(alarm.metrics.map((m) => m.name).filter((n): n is string => !!n))];
  const metadata: Record<string, string> = {
    tenant_id: alarm.tenant_id,
    alarm_definition_id: String(alarm.alarm_definition_id),
    old_state: alarm.old_state,
    ...(metricNames.length > 0 ? { metrics: metricNames.join(',') } : {}),
    ...(alarm.alarm_description ? { alarm_description: alarm.alarm_description } : {}),
  };
  return alertSignal({
    source: 'monasca',
    sourceInstance,
    externalId: alarm.alarm_id,
    action: alarm.state === 'OK' ? 'close' : 'open',
    // alarm_timestamp is in seconds (maybe fractional): the state-transition time, equal on retries and
    // periodic repeats.
    sourceTime: new Date(Math.round(alarm.alarm_timestamp * 1000)),
    severity: alarm.state === 'ALARM' ? alarmSeverity : alarm.state === 'UNDETERMINED' ? 'unknown' : 'info',
    sourceState: alarm.state,
    title: alarm.alarm_name,
    message: alarm.message,
    host,
    tags,
    metadata,
    closeReason: alarm.state === 'OK' ? alarm.message || 'OK' : null,
    reopenAfterClose: true,
    payload: raw,
  });
}
