import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthenticatedRequest } from '../../common/request-context';
import { matchSecret } from '../../common/secrets';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

export const STACKSTATE_TOKEN_HEADER = 'x-stackstate-webhook-token';

@Injectable()
export class StackStateTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const tokens = this.config.ingress.stackstate.tokens;
    const match = matchSecret(tokens, (t) => t.token, request.headers[STACKSTATE_TOKEN_HEADER]);
    if (!match) {
      throw new ApiError(
        'unauthorized',
        tokens.length === 0
          ? 'No StackState tokens are configured (ingress.stackstate.tokens)'
          : 'Missing or wrong X-StackState-Webhook-Token',
      );
    }
    request.sourceInstance = match.name;
    return true;
  }
}
