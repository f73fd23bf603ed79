import { Module } from '@nestjs/common';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { OpsController } from './ops.controller';
import { OpsService } from './ops.service';

@Module({
  controllers: [OpsController],
  providers: [OpsService, DatabaseHealthRepository],
})
export class OpsModule {}
