import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { RepeatShortcut } from '../common/repeat-shortcut';
import { IngressRequest, LogRef, RawBody, SourceInstance } from '../../common/request-context';
import { StackStateTokenGuard } from './stackstate-token.guard';
import { StackStateEnvelopeDto } from './stackstate.dto';
import { StackStateService } from './stackstate.service';

@Controller('webhooks/stackstate')
export class StackStateController {
  constructor(private readonly service: StackStateService) {}

  // StackState retries anything but exactly 200 (docs/sources.md, "StackState"), so not Nest's default 201.
  @Post()
  @HttpCode(200)
  // The order matters: the credential first, then a repeat known by its body.
  @UseGuards(StackStateTokenGuard, RepeatShortcut('stackstate'))
  receiveStackStateEvent(
    @Body() envelope: StackStateEnvelopeDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: IngressRequest,
  ) {
    return request.repeatAnswer ?? this.service.receiveStackStateEvent(envelope, raw, instance, request);
  }
}
