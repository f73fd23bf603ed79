import { logLine, RequestRef } from '../../common/http-logger';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { Schemas } from '../../common/api-types';
import { ErrorBodies } from '../../common/error-bodies';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';
import { NotificationActionsService } from '../../notifications/notification-actions.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { SignalPreviews } from '../../notifications/signal-previews';
import { scopedId } from '../common/links';
import { PAGERDUTY_EVENTS_PATH, pagerDutyErrorBody } from './pagerduty-errors';
import { PagerDutyEventDto } from './pagerduty.dto';
import { PagerDutySeverityMap, toSignal } from './pagerduty.mapper';

@Injectable()
export class PagerDutyService {
  private readonly logger = new Logger(PagerDutyService.name);
  private readonly severities: PagerDutySeverityMap;

  constructor(
    private readonly notifications: NotificationsService,
    private readonly actions: NotificationActionsService,
    previews: SignalPreviews,
    errorBodies: ErrorBodies,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.severities = { ...config.ingress.pagerduty.severities };
    errorBodies.register(PAGERDUTY_EVENTS_PATH, pagerDutyErrorBody);
    previews.register({
      key: 'pagerduty',
      dto: PagerDutyEventDto,
      toSignal: (event, raw, instance) => {
        if (event.event_action === 'acknowledge') {
          throw new ApiError('bad_request', 'A route test previews a trigger or a resolve', [
            { field: 'pagerduty.event_action', problem: 'must be trigger or resolve' },
          ]);
        }
        return toSignal(event, raw, instance, event.dedup_key || 'route-test', this.severities);
      },
    });
  }

  /** Answers as PagerDuty does, with the dedup key (a new one for a trigger that had none). */
  async enqueuePagerDutyEvent(
    event: PagerDutyEventDto,
    raw: unknown,
    sourceInstance: string,
    request?: RequestRef,
  ): Promise<Schemas['PagerDutyAccepted']> {
    const dedupKey = event.dedup_key || randomUUID();
    if (event.event_action === 'acknowledge') await this.acknowledge(event, raw, sourceInstance, dedupKey, request);
    else await this.notifications.ingest(toSignal(event, raw, sourceInstance, dedupKey, this.severities), request);
    return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
  }

  /**
   * Acknowledges the open notification of the dedup key, by the sending tool (`client`) or else the
   * routing key's name (Zabbix and Checkmk send no client). PagerDuty drops an acknowledge for a key with
   * no open alert; so do we, with a log line, and answer 202 as it does.
   */
  private async acknowledge(
    event: PagerDutyEventDto,
    raw: unknown,
    sourceInstance: string,
    dedupKey: string,
    request: RequestRef | undefined,
  ) {
    const client = event.client?.trim() || undefined;
    const summary = typeof event.payload?.summary === 'string' ? event.payload.summary.trim() : '';
    const outcome = await this.actions.acknowledgeOpen(
      'pagerduty',
      scopedId(sourceInstance, dedupKey),
      { by: client ?? sourceInstance, reason: summary || null },
      raw,
      { sourceInstance },
      request,
    );
    if (outcome === 'none') {
      this.logger.log(
        logLine(`pagerduty/${sourceInstance} ${dedupKey}: acknowledge for no open notification, ignored`, request),
      );
    }
  }
}
