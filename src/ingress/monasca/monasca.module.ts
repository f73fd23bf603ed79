import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { MonascaController } from './monasca.controller';
import { MonascaService } from './monasca.service';

@Module({
  imports: [NotificationsModule],
  controllers: [MonascaController],
  providers: [MonascaService],
})
export class MonascaModule {}
