import { RouteMatchConfig } from '../config/routes.config';
import { HoldRef } from '../domain/notification';
import { matches, RoutableNotification } from '../routing/routes';
import { MaintenanceWindow } from './maintenance-window';

/** A silence as the rules need it (from the API, stored in `silences`). */
export interface SilenceRule {
  id: string;
  match: RouteMatchConfig;
  startsAt: Date;
  endsAt: Date;
}

/**
 * What holds a notification back at a given time: the silences that are on then and match it, and the
 * maintenance windows that are on then and match it. Matching is a route's (routing/routes.ts).
 */
export class HoldRules {
  constructor(
    private readonly silences: readonly SilenceRule[],
    private readonly windows: readonly MaintenanceWindow[],
  ) {}

  heldBy(n: RoutableNotification, at: Date): HoldRef[] {
    const t = at.getTime();
    const refs: HoldRef[] = [];
    for (const s of this.silences) {
      if (s.startsAt.getTime() <= t && t < s.endsAt.getTime() && matches(s.match, n)) {
        refs.push({ kind: 'silence', id: s.id, endsAt: s.endsAt.toISOString() });
      }
    }
    for (const w of this.windows) {
      const occurrence = w.occurrenceAt(at);
      if (occurrence && matches(w.match, n)) {
        refs.push({ kind: 'maintenance', name: w.name, endsAt: occurrence.end.toISOString() });
      }
    }
    return refs;
  }
}
