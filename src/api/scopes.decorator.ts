import { SetMetadata } from '@nestjs/common';
import { ApiScope } from '../config/config.schema';

export const REQUIRED_SCOPE = 'alert-relay:required-scope';

/** The scope an API key needs for a route (on a handler or a controller); `read` when not given. */
export const RequireScope = (scope: ApiScope) => SetMetadata(REQUIRED_SCOPE, scope);
