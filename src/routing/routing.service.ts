import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';
import { compileRoutes, evaluateRoutes, RoutableNotification, RoutingResult, RoutingTable } from './routes';

/** Which channels a notification goes to; the rules themselves are pure (routes.ts). */
@Injectable()
export class RoutingService {
  private readonly table: RoutingTable;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.table = compileRoutes(config);
  }

  route(notification: RoutableNotification): RoutingResult {
    return evaluateRoutes(this.table, notification);
  }
}
