import { Inject, Injectable } from '@nestjs/common';
import { Operations } from '../common/api-types';
import { AppConfig } from '../config/config.loader';
import { APP_CONFIG } from '../config/config.module';

type WhoAmI = Operations['whoAmI']['responses'][200]['content']['application/json'];

/** `GET /api/v1/whoami`: what the caller's key may do, so a client offers only those actions. */
@Injectable()
export class WhoAmIService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  // Key names are unique (the config loader refuses duplicates), so the name ApiKeyGuard matched is enough.
  whoAmI(apiKeyName: string): WhoAmI {
    const key = this.config.api.keys.find((k) => k.name === apiKeyName);
    if (!key) throw new Error(`API key "${apiKeyName}" matched by the guard is not in the config`);
    return { name: key.name, scopes: [...key.scopes] };
  }
}
