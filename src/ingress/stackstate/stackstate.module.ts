import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { StackStateController } from './stackstate.controller';
import { StackStateService } from './stackstate.service';

@Module({
  imports: [NotificationsModule],
  controllers: [StackStateController],
  providers: [StackStateService],
})
export class StackStateModule {}
