import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { AuthFailureLimiter, limitedAuthentication } from '../../common/auth-failures';
import { AuthenticatedRequest } from '../../common/request-context';
import { SecretMatcher } from '../../common/secrets';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';

/**
 * The event's `routing_key` must be a configured one, checked before the rest of the event is looked at
 * (so an unknown key learns nothing about it). PagerDuty answers an unknown key with 400 "Invalid routing
 * key"; so do we. pdpyras before 4.1.3 sent the key only in an `X-Routing-Key` header: taken when the
 * body has none.
 */
@Injectable()
export class PagerDutyRoutingKeyGuard implements CanActivate {
  private readonly keys: SecretMatcher<AppConfig['ingress']['pagerduty']['routingKeys'][number]>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.keys = new SecretMatcher(config.ingress.pagerduty.routingKeys, (k) => k.key);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const body: unknown = request.body;
    const inBody =
      body !== null && typeof body === 'object' ? (body as { routing_key?: unknown }).routing_key : undefined;
    const presented = inBody ?? request.headers['x-routing-key'];
    if (typeof presented !== 'string' || presented.trim() === '') {
      throw new ApiError('validation_failed', 'The event has no routing key', [
        { field: 'routing_key', problem: 'is missing or blank' },
      ]);
    }
    // A wrong routing key is a failed authentication, though PagerDuty answers it 400: it counts.
    const match = limitedAuthentication(
      this.failures,
      request,
      () => {
        const key = this.keys.match(presented);
        if (key) return key;
        throw new ApiError(
          'bad_request',
          this.keys.size === 0
            ? 'Invalid routing key (none are configured: ingress.pagerduty.routingKeys)'
            : 'Invalid routing key',
        );
      },
      (error) => error.code === 'bad_request',
    );
    request.sourceInstance = match.name;
    return true;
  }
}
