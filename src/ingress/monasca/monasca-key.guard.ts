import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest } from '../../common/request-context';
import { SecretMatcher } from '../../common/secrets';
import { AuthFailureLimiter, limitedAuthentication } from '../../common/auth-failures';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

/** The key is the last path segment: Monasca's webhook plugin cannot send a secret header. */
@Injectable()
export class MonascaKeyGuard implements CanActivate {
  private readonly keys: SecretMatcher<AppConfig['ingress']['monasca']['keys'][number]>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.keys = new SecretMatcher(config.ingress.monasca.keys, (k) => k.key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = limitedAuthentication(this.failures, request, () => {
      const key = this.keys.match(request.params.key);
      if (key) return key;
      throw new ApiError(
        'unauthorized',
        this.keys.size === 0 ? 'No Monasca keys are configured (ingress.monasca.keys)' : 'Unknown Monasca webhook key',
      );
    });
    request.sourceInstance = match.name;
    return true;
  }
}
