import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { DeliveryService } from '../delivery/delivery.service';
import { NotificationIdParamsDto } from './notifications.dto';
import { ApiKeyGuard } from './api-key.guard';
import {
  ChannelNameParamsDto,
  DeliveryIdParamsDto,
  ListDeliveriesQueryDto,
  RouteTestRequestDto,
} from './deliveries.dto';
import { NotificationDeliveriesService } from './notification-deliveries.service';
import { RouteTestService } from './route-test.service';
import { RequireScope } from './scopes.decorator';

@Controller('api/v1')
@UseGuards(ApiKeyGuard)
export class DeliveriesController {
  constructor(
    private readonly service: DeliveryService,
    private readonly notificationDeliveries: NotificationDeliveriesService,
    private readonly routes: RouteTestService,
  ) {}

  @Get('notifications/:id/deliveries')
  listNotificationDeliveries(@Param() params: NotificationIdParamsDto) {
    return this.notificationDeliveries.listNotificationDeliveries(params.id);
  }

  @Get('deliveries')
  listDeliveries(@Query() query: ListDeliveriesQueryDto) {
    return this.service.listDeliveries(query);
  }

  @Post('deliveries/:id/retry')
  @RequireScope('write')
  @HttpCode(202)
  retryDelivery(@Param() params: DeliveryIdParamsDto) {
    return this.service.retryDelivery(params.id);
  }

  @Get('channels')
  listChannels() {
    return this.service.listChannels();
  }

  @Post('channels/:name/test')
  @RequireScope('write')
  @HttpCode(200)
  testChannel(@Param() params: ChannelNameParamsDto) {
    return this.service.testChannel(params.name);
  }

  @Post('channels/:name/enable')
  @RequireScope('write')
  @HttpCode(200)
  enableChannel(@Param() params: ChannelNameParamsDto) {
    return this.service.enableChannel(params.name);
  }

  @Post('routes/test')
  @HttpCode(200)
  testRoutes(@Body() body: RouteTestRequestDto) {
    return this.routes.testRoutes(body);
  }
}
