import { cronSchedule, MaintenanceWindowConfig } from '../config/maintenance.config';
import { durationMs } from '../config/duration';
import { RouteMatchConfig } from '../config/routes.config';

/** One occurrence of a window: it holds from `start` (inclusive) to `end` (exclusive). */
export interface Occurrence {
  start: Date;
  end: Date;
}

/**
 * A maintenance window from the config, asked "are you on at this time?". A recurring window is on
 * from each start of its schedule for `duration`; the occurrence around the last question is kept, so
 * the cron library is asked again only once time has moved past the next start.
 */
export class MaintenanceWindow {
  private cached: { occurrence: Occurrence | null; from: number; until: number } | undefined;

  private constructor(
    readonly name: string,
    readonly match: RouteMatchConfig,
    private readonly find: (at: number) => { occurrence: Occurrence | null; from: number; until: number },
  ) {}

  /** The config was validated at start (config/maintenance.config.ts): this does not check it again. */
  static fromConfig(config: MaintenanceWindowConfig): MaintenanceWindow {
    if (config.schedule !== undefined) {
      const cron = cronSchedule(config.schedule, config.timezone);
      const length = durationMs(config.duration ?? '0ms');
      return new MaintenanceWindow(config.name, config.match, (at) => {
        const start = latestStart(cron, at);
        const next = cron.nextRun(new Date(at))?.getTime() ?? Number.POSITIVE_INFINITY;
        // The answer holds from this start (or the beginning of time) until the next one.
        const from = start?.getTime() ?? Number.NEGATIVE_INFINITY;
        if (!start || at >= start.getTime() + length) return { occurrence: null, from, until: next };
        return { occurrence: { start, end: new Date(start.getTime() + length) }, from, until: next };
      });
    }
    const start = new Date(config.start ?? 0);
    const end = new Date(config.end ?? 0);
    return new MaintenanceWindow(config.name, config.match, (at) => {
      if (at < start.getTime()) return { occurrence: null, from: Number.NEGATIVE_INFINITY, until: start.getTime() };
      if (at < end.getTime()) return { occurrence: { start, end }, from: start.getTime(), until: end.getTime() };
      return { occurrence: null, from: end.getTime(), until: Number.POSITIVE_INFINITY };
    });
  }

  /** The occurrence that is on at `at`, or null when the window is off then. */
  occurrenceAt(at: Date): Occurrence | null {
    const t = at.getTime();
    const cached = this.cached;
    if (cached && t >= cached.from && t < cached.until) {
      // Within the same stretch between two starts: on until the occurrence's end, then off.
      return cached.occurrence && t < cached.occurrence.end.getTime() ? cached.occurrence : null;
    }
    this.cached = this.find(t);
    return this.cached.occurrence;
  }
}

// The last start of the schedule at or before `at` (the library's previous runs are strictly before
// the reference unless they fall in its second, so ask from just after `at` and drop anything later).
function latestStart(cron: ReturnType<typeof cronSchedule>, at: number): Date | null {
  return cron.previousRuns(2, new Date(at + 1)).find((run) => run.getTime() <= at) ?? null;
}
