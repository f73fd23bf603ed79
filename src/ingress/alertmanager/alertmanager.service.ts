import { RequestRef } from '../../common/http-logger';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { Schemas } from '../../common/api-types';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';
import { NotificationsService } from '../../notifications/notifications.service';
import { SignalPreviews } from '../../notifications/signal-previews';
import { AlertmanagerWebhookDto } from './alertmanager.dto';
import { AlertmanagerSeverity, toSignals } from './alertmanager.mapper';

@Injectable()
export class AlertmanagerService {
  private readonly severity: AlertmanagerSeverity;

  constructor(
    private readonly notifications: NotificationsService,
    previews: SignalPreviews,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { severityLabel, severities } = config.ingress.alertmanager;
    this.severity = { label: severityLabel, map: severities };
    previews.register({
      key: 'alertmanager',
      dto: AlertmanagerWebhookDto,
      toSignal: (body, raw, instance) => {
        if (body.alerts.length !== 1) {
          throw new ApiError('bad_request', 'A route test previews one alert', [
            { field: 'alertmanager.alerts', problem: 'must hold exactly one alert' },
          ]);
        }
        return toSignals(body, raw, instance, this.severity)[0];
      },
    });
  }

  /** Every alert of the message in one transaction; one result each, in order. */
  async receiveAlertmanagerAlerts(
    body: AlertmanagerWebhookDto,
    raw: unknown,
    sourceInstance: string,
    request?: RequestRef,
  ): Promise<Schemas['IngestResults']> {
    const signals = toSignals(body, raw, sourceInstance, this.severity);
    return { results: await this.notifications.ingestAll(signals, (i) => `alerts[${i}]`, request) };
  }
}
