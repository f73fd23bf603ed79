import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest } from '../../common/request-context';
import { matchSecret } from '../../common/secrets';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

/** The key is the last path segment: Monasca's webhook plugin cannot send a secret header. */
@Injectable()
export class MonascaKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const keys = this.config.ingress.monasca.keys;
    const match = matchSecret(keys, (k) => k.key, request.params.key);
    if (!match) {
      throw new ApiError(
        'unauthorized',
        keys.length === 0 ? 'No Monasca keys are configured (ingress.monasca.keys)' : 'Unknown Monasca webhook key',
      );
    }
    request.sourceInstance = match.name;
    return true;
  }
}
