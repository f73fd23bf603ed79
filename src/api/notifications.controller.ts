import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { NotificationsService } from '../notifications/notifications.service';
import { ApiKeyGuard } from './api-key.guard';
import { ListNotificationsQueryDto, NotificationIdParamsDto } from './notifications.dto';

@Controller('api/v1/notifications')
@UseGuards(ApiKeyGuard)
export class NotificationsController {
  constructor(private readonly service: NotificationsService) {}

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
}
