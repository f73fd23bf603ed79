import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiModule } from './api/api.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/config.loader';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DatabaseTarget } from './database/database-target';
import { DigestsModule } from './digests/digests.module';
import { MonascaModule } from './ingress/monasca/monasca.module';
import { SmtpModule } from './ingress/smtp/smtp.module';
import { StackStateModule } from './ingress/stackstate/stackstate.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpsModule } from './ops/ops.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(database),
        MetricsModule,
        StackStateModule,
        MonascaModule,
        SmtpModule,
        ApiModule,
        OpsModule,
        DigestsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
