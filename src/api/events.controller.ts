import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ClientGone } from '../common/request-context';
import { EventsFeedService } from '../notifications/events-feed.service';
import { ApiKeyGuard } from './api-key.guard';
import { ListEventsQueryDto } from './events.dto';

@Controller('api/v1/events')
@UseGuards(ApiKeyGuard)
export class EventsController {
  constructor(private readonly service: EventsFeedService) {}

  @Get()
  listEvents(@Query() query: ListEventsQueryDto, @ClientGone() clientGone: AbortSignal) {
    return this.service.listEvents(query, clientGone);
  }
}
