import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { AuthFailureLimiter, bearerToken, limitedAuthentication } from '../common/auth-failures';
import { SecretMatcher } from '../common/secrets';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';

/** `metrics.token` set: `/metrics` needs `Authorization: Bearer <token>`; unset: open, as before. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly token: SecretMatcher<string> | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    const token = config.metrics.token;
    this.token = token === undefined ? null : new SecretMatcher([token], (t) => t);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = this.token;
    if (token === null) return true;
    const request = context.switchToHttp().getRequest<Request>();
    return limitedAuthentication(this.failures, request, () => {
      if (!token.match(bearerToken(request.headers.authorization, 'metrics token'))) {
        throw new ApiError('unauthorized', 'Wrong metrics token (metrics.token)');
      }
      return true;
    });
  }
}
