import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { AlertmanagerController } from './alertmanager.controller';
import { AlertmanagerService } from './alertmanager.service';

@Module({
  imports: [NotificationsModule],
  controllers: [AlertmanagerController],
  providers: [AlertmanagerService],
})
export class AlertmanagerModule {}
