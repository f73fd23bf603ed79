import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthFailureLimiter, limitedAuthentication } from '../../common/auth-failures';
import { AuthenticatedRequest } from '../../common/request-context';
import { SecretMatcher } from '../../common/secrets';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

/**
 * `Authorization: Bearer <key>` (Alertmanager's `http_config.authorization`, Grafana's authorization
 * header), or HTTP basic auth with the key as password, which both also offer.
 */
@Injectable()
export class AlertmanagerKeyGuard implements CanActivate {
  private readonly keys: SecretMatcher<AppConfig['ingress']['alertmanager']['keys'][number]>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.keys = new SecretMatcher(config.ingress.alertmanager.keys, (k) => k.key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = limitedAuthentication(this.failures, request, () => {
      if (this.keys.size === 0) {
        throw new ApiError('unauthorized', 'No Alertmanager keys are configured (ingress.alertmanager.keys)');
      }
      const header = request.headers.authorization;
      if (!header) {
        throw new ApiError('unauthorized', 'Missing Authorization header; send "Authorization: Bearer <key>"');
      }
      const key = this.keys.match(credentials(header));
      if (!key) throw new ApiError('unauthorized', 'Unknown Alertmanager key');
      return key;
    });
    request.sourceInstance = match.name;
    return true;
  }
}

/** The key presented: a bearer token, or the password of basic auth. */
function credentials(header: string): string | undefined {
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}
