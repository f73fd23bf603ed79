import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { PagerDutyController } from './pagerduty.controller';
import { PagerDutyService } from './pagerduty.service';

@Module({
  imports: [NotificationsModule],
  controllers: [PagerDutyController],
  providers: [PagerDutyService],
})
export class PagerDutyModule {}
