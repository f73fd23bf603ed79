import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RepeatShortcut } from '../common/repeat-shortcut';
import { IngressRequest, LogRef, RawBody, SourceInstance } from '../../common/request-context';
import { MonascaKeyGuard } from './monasca-key.guard';
import { MonascaAlarmDto } from './monasca.dto';
import { MonascaService } from './monasca.service';

@Controller('webhooks/monasca')
export class MonascaController {
  constructor(private readonly service: MonascaService) {}

  @Post(':key')
  @HttpCode(200)
  // The order matters: the credential first, then a repeat known by its body.
  @UseGuards(MonascaKeyGuard, RepeatShortcut('monasca'))
  receiveMonascaAlarm(
    @Body() alarm: MonascaAlarmDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: IngressRequest,
  ) {
    return request.repeatAnswer ?? this.service.receiveMonascaAlarm(alarm, raw, instance, request);
  }
}
