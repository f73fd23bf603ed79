import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { OpsController } from './ops.controller';
import { OpsService } from './ops.service';

@Module({
  controllers: [OpsController, MetricsController],
  providers: [OpsService],
})
export class OpsModule {}
