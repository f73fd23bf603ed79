import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { LogRef, RawBody, SourceInstance } from '../../common/request-context';
import type { RequestRef } from '../../common/http-logger';
import { MonascaKeyGuard } from './monasca-key.guard';
import { MonascaAlarmDto } from './monasca.dto';
import { MonascaService } from './monasca.service';

@Controller('webhooks/monasca')
export class MonascaController {
  constructor(private readonly service: MonascaService) {}

  @Post(':key')
  @HttpCode(200)
  @UseGuards(MonascaKeyGuard)
  receiveMonascaAlarm(
    @Body() alarm: MonascaAlarmDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: RequestRef,
  ) {
    return this.service.receiveMonascaAlarm(alarm, raw, instance, request);
  }
}
