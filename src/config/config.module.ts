import { Global, Module } from '@nestjs/common';
import { AuthFailureLimiter } from '../common/auth-failures';
import { AppConfig } from './config.loader';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Provides the config that `main.ts` loaded and validated before the app was created, and the one
 * authentication failure limiter its `authFailures` sets up (shared by every guard and the SMTP port).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: AuthFailureLimiter, useValue: new AuthFailureLimiter(config.authFailures) },
      ],
      exports: [APP_CONFIG, AuthFailureLimiter],
    };
  }
}
