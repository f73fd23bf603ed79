import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import type { RequestRef } from '../common/http-logger';
import { ApiKeyName, LogRef } from '../common/request-context';
import { NotificationActionsService } from '../notifications/notification-actions.service';
import { NotificationsService } from '../notifications/notifications.service';
import { ApiKeyGuard } from './api-key.guard';
import { EtagInterceptor } from './etag.interceptor';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import {
  AcknowledgeRequestDto,
  CloseRequestDto,
  ExternalRefInputDto,
  ExternalRefParamsDto,
  ListNotificationsQueryDto,
  NotificationIdParamsDto,
  UnacknowledgeRequestDto,
} from './notifications.dto';
import { RequireScope } from './scopes.decorator';

@Controller('api/v1/notifications')
@UseGuards(ApiKeyGuard)
@UseInterceptors(EtagInterceptor)
export class NotificationsController {
  constructor(
    private readonly service: NotificationsService,
    private readonly actions: NotificationActionsService,
  ) {}

  @Get()
  listNotifications(@Query() query: ListNotificationsQueryDto) {
    return this.service.listNotifications(query);
  }

  @Get(':id')
  getNotification(@Param() params: NotificationIdParamsDto) {
    return this.service.getNotification(params.id);
  }

  @Get(':id/events')
  listNotificationEvents(@Param() params: NotificationIdParamsDto) {
    return this.service.listNotificationEvents(params.id);
  }

  @Put(':id/external-refs/:system')
  @RequireScope('write')
  putExternalRef(
    @Param() params: ExternalRefParamsDto,
    @Body() body: ExternalRefInputDto,
    @ApiKeyName() apiKeyName: string,
    @LogRef() request: RequestRef,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.actions.putExternalRef(params.id, params.system, body, { apiKeyName, ifMatch, request });
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequireScope('write')
  @UseInterceptors(IdempotencyInterceptor)
  acknowledgeNotification(
    @Param() params: NotificationIdParamsDto,
    @Body() body: AcknowledgeRequestDto,
    @ApiKeyName() apiKeyName: string,
    @LogRef() request: RequestRef,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.actions.acknowledge(params.id, body, { apiKeyName, ifMatch, request });
  }

  @Post(':id/unacknowledge')
  @HttpCode(200)
  @RequireScope('write')
  @UseInterceptors(IdempotencyInterceptor)
  unacknowledgeNotification(
    @Param() params: NotificationIdParamsDto,
    @Body() body: UnacknowledgeRequestDto,
    @ApiKeyName() apiKeyName: string,
    @LogRef() request: RequestRef,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.actions.unacknowledge(params.id, body, { apiKeyName, ifMatch, request });
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequireScope('write')
  @UseInterceptors(IdempotencyInterceptor)
  closeNotification(
    @Param() params: NotificationIdParamsDto,
    @Body() body: CloseRequestDto,
    @ApiKeyName() apiKeyName: string,
    @LogRef() request: RequestRef,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.actions.close(params.id, body, { apiKeyName, ifMatch, request });
  }
}
