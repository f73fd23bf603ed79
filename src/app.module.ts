import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiModule } from './api/api.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { Clock, ClockModule } from './common/clock';
import { ErrorBodiesModule } from './common/error-bodies';
import { createValidationPipe } from './common/validation';
import { ConsoleModule } from './console/console.module';
import { AppConfig } from './config/config.loader';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DatabaseTarget } from './database/database-target';
import { AlertmanagerModule } from './ingress/alertmanager/alertmanager.module';
import { DigestsModule } from './digests/digests.module';
import { MonascaModule } from './ingress/monasca/monasca.module';
import { PagerDutyModule } from './ingress/pagerduty/pagerduty.module';
import { SmtpModule } from './ingress/smtp/smtp.module';
import { StackStateModule } from './ingress/stackstate/stackstate.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpsModule } from './ops/ops.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        ErrorBodiesModule,
        DatabaseModule.forRoot(database),
        MetricsModule,
        StackStateModule,
        MonascaModule,
        AlertmanagerModule,
        PagerDutyModule,
        SmtpModule,
        ApiModule,
        OpsModule,
        ConsoleModule,
        DigestsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
