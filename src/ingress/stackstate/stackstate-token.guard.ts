import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest } from '../../common/request-context';
import { SecretMatcher } from '../../common/secrets';
import { AuthFailureLimiter, limitedAuthentication } from '../../common/auth-failures';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

export const STACKSTATE_TOKEN_HEADER = 'x-stackstate-webhook-token';

@Injectable()
export class StackStateTokenGuard implements CanActivate {
  private readonly tokens: SecretMatcher<AppConfig['ingress']['stackstate']['tokens'][number]>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.tokens = new SecretMatcher(config.ingress.stackstate.tokens, (t) => t.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = limitedAuthentication(this.failures, request, () => {
      const token = this.tokens.match(request.headers[STACKSTATE_TOKEN_HEADER]);
      if (token) return token;
      throw new ApiError(
        'unauthorized',
        this.tokens.size === 0
          ? 'No StackState tokens are configured (ingress.stackstate.tokens)'
          : 'Missing or wrong X-StackState-Webhook-Token',
      );
    });
    request.sourceInstance = match.name;
    return true;
  }
}
