import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { LogRef, RawBody, SourceInstance } from '../../common/request-context';
import type { RequestRef } from '../../common/http-logger';
import { AlertmanagerKeyGuard } from './alertmanager-key.guard';
import { AlertmanagerWebhookDto } from './alertmanager.dto';
import { AlertmanagerService } from './alertmanager.service';

@Controller('webhooks/alertmanager')
export class AlertmanagerController {
  constructor(private readonly service: AlertmanagerService) {}

  @Post()
  @HttpCode(200)
  @UseGuards(AlertmanagerKeyGuard)
  receiveAlertmanagerAlerts(
    @Body() body: AlertmanagerWebhookDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: RequestRef,
  ) {
    return this.service.receiveAlertmanagerAlerts(body, raw, instance, request);
  }
}
