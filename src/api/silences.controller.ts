import type { RequestRef } from '../common/http-logger';
import { Body, Controller, Delete, Get, Param, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiKeyName, LogRef } from '../common/request-context';
import { SilencesService } from '../silences/silences.service';
import { ApiKeyGuard } from './api-key.guard';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { RequireScope } from './scopes.decorator';
import { ListSilencesQueryDto, SilenceIdParamsDto, SilenceRequestDto } from './silences.dto';

@Controller('api/v1/silences')
@UseGuards(ApiKeyGuard)
export class SilencesController {
  constructor(private readonly service: SilencesService) {}

  @Get()
  listSilences(@Query() query: ListSilencesQueryDto) {
    return this.service.listSilences(query);
  }

  @Post()
  @RequireScope('write')
  @UseInterceptors(IdempotencyInterceptor)
  createSilence(@Body() body: SilenceRequestDto, @ApiKeyName() apiKeyName: string, @LogRef() request: RequestRef) {
    return this.service.createSilence(body, apiKeyName, request);
  }

  @Get(':id')
  getSilence(@Param() params: SilenceIdParamsDto) {
    return this.service.getSilence(params.id);
  }

  @Delete(':id')
  @RequireScope('write')
  deleteSilence(@Param() params: SilenceIdParamsDto, @ApiKeyName() apiKeyName: string, @LogRef() request: RequestRef) {
    return this.service.deleteSilence(params.id, apiKeyName, request);
  }
}
