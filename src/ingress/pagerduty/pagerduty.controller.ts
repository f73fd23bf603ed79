import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { LogRef, RawBody, SourceInstance } from '../../common/request-context';
import type { RequestRef } from '../../common/http-logger';
import { PAGERDUTY_EVENTS_PATH } from './pagerduty-errors';
import { PagerDutyRoutingKeyGuard } from './pagerduty-routing-key.guard';
import { PagerDutyEventDto } from './pagerduty.dto';
import { PagerDutyService } from './pagerduty.service';

@Controller()
export class PagerDutyController {
  constructor(private readonly service: PagerDutyService) {}

  // Exactly 202, as PagerDuty answers: Zabbix, Checkmk and go-pagerduty take nothing else as success.
  @Post(PAGERDUTY_EVENTS_PATH)
  @HttpCode(202)
  @UseGuards(PagerDutyRoutingKeyGuard)
  enqueuePagerDutyEvent(
    @Body() event: PagerDutyEventDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: RequestRef,
  ) {
    return this.service.enqueuePagerDutyEvent(event, raw, instance, request);
  }
}
