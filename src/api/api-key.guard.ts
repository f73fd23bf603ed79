import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../common/api-error';
import { AuthenticatedRequest } from '../common/request-context';
import { SecretMatcher } from '../common/secrets';
import { AuthFailureLimiter, bearerToken, limitedAuthentication } from '../common/auth-failures';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { ApiScope } from '../config/config.schema';
import { REQUIRED_SCOPE } from './scopes.decorator';

/** `Authorization: Bearer <key>` with a key from `api.keys` that has the route's scope (`read` by default). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: SecretMatcher<AppConfig['api']['keys'][number]>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.keys = new SecretMatcher(config.api.keys, (k) => k.key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = limitedAuthentication(this.failures, request, () => {
      const key = this.keys.match(bearerToken(request.headers.authorization, 'api key'));
      if (!key) throw new ApiError('unauthorized', 'Unknown API key');
      return key;
    });
    request.apiKeyName = match.name;
    const needed =
      this.reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'read';
    if (!match.scopes.includes(needed)) {
      throw new ApiError(
        'forbidden',
        `API key "${match.name}" has the scopes [${match.scopes.join(', ')}]; this operation needs "${needed}" ` +
          `(add it to the key's scopes in api.keys)`,
      );
    }
    return true;
  }
}
