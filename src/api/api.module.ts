import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { EventsController } from './events.controller';
import { IdempotencyRepository } from './idempotency.repository';
import { NotificationsController } from './notifications.controller';

@Module({
  imports: [NotificationsModule],
  controllers: [NotificationsController, EventsController],
  providers: [IdempotencyRepository],
})
export class ApiModule {}
