import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { LogRef, RawBody, SourceInstance } from '../../common/request-context';
import type { RequestRef } from '../../common/http-logger';
import { StackStateTokenGuard } from './stackstate-token.guard';
import { StackStateEnvelopeDto } from './stackstate.dto';
import { StackStateService } from './stackstate.service';

@Controller('webhooks/stackstate')
export class StackStateController {
  constructor(private readonly service: StackStateService) {}

  // StackState retries anything but exactly 200 (docs/sources.md, "StackState"), so not Nest's default 201.
  @Post()
  @HttpCode(200)
  @UseGuards(StackStateTokenGuard)
  receiveStackStateEvent(
    @Body() envelope: StackStateEnvelopeDto,
    @RawBody() raw: unknown,
    @SourceInstance() instance: string,
    @LogRef() request: RequestRef,
  ) {
    return this.service.receiveStackStateEvent(envelope, raw, instance, request);
  }
}
