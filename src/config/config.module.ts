import { Global, Module } from '@nestjs/common';
import { AppConfig } from './config.loader';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Provides the config that `main.ts` loaded and validated before the app was created. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
