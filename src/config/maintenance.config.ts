import { Type } from 'class-transformer';
import { IsOptional, IsRFC3339, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Cron } from 'croner';
import { IsName } from '../common/patterns';
import { IsDuration } from './duration';
import { isEmptyMatch, RouteMatchConfig } from './routes.config';

// `maintenance`: windows that hold back the deliveries of what they match (docs/noise-control.md).

/**
 * A maintenance window: recurring (`schedule` as a five-field cron expression in `timezone`, lasting
 * `duration` from each start) or one-off (`start` to `end`).
 */
export class MaintenanceWindowConfig {
  @IsName()
  name: string;

  @ValidateNested()
  @Type(() => RouteMatchConfig)
  match: RouteMatchConfig;

  /** minute hour day-of-month month day-of-week, e.g. `0 2 * * TUE`. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  schedule?: string;

  /** The IANA time zone the schedule is read in; UTC when not given. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @IsOptional()
  @IsDuration('1m')
  duration?: string;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-12-24T22:00:00Z' })
  start?: string;

  @IsOptional()
  @IsRFC3339({ message: 'must be an RFC 3339 date-time with an offset, e.g. 2026-12-24T22:00:00Z' })
  end?: string;
}

/**
 * A window's schedule, read by the cron library: standard five fields (minute precision), day-of-month
 * and day-of-week combined with OR as in Vixie cron. Throws with the library's reason when it is not one.
 */
export function cronSchedule(schedule: string, timezone: string | undefined): Cron {
  return new Cron(schedule, { timezone: timezone ?? 'UTC', mode: '5-part' });
}

/** Whether the runtime knows the IANA time zone `name`. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** What the keys of each window cannot say alone: its kind, its schedule, its zone, its order, its name. */
export function maintenanceProblems(windows: MaintenanceWindowConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  windows.forEach((window, i) => {
    if (window === null || typeof window !== 'object') return;
    const path = `maintenance[${i}]`;
    if (typeof window.name === 'string') {
      if (seen.has(window.name)) problems.push(`${path}.name: duplicate name "${window.name}"`);
      seen.add(window.name);
    }
    if (window.match instanceof RouteMatchConfig && isEmptyMatch(window.match)) {
      problems.push(`${path}.match: needs at least one key (write source: "*" to hold everything)`);
    }
    const recurring = window.schedule !== undefined;
    const oneOff = window.start !== undefined || window.end !== undefined;
    if (recurring && oneOff) {
      problems.push(`${path}: give either schedule and duration (recurring) or start and end (one-off), not both`);
    } else if (recurring) {
      problems.push(...scheduleProblems(window, path));
    } else if (oneOff) {
      problems.push(...oneOffProblems(window, path));
    } else {
      problems.push(`${path}: needs schedule and duration (recurring) or start and end (one-off)`);
    }
  });
  return problems;
}

function scheduleProblems(window: MaintenanceWindowConfig, path: string): string[] {
  const problems: string[] = [];
  if (window.duration === undefined) problems.push(`${path}.duration: required with schedule`);
  const zoneKnown = window.timezone === undefined || isTimeZone(window.timezone);
  if (!zoneKnown) {
    problems.push(`${path}.timezone: unknown time zone "${window.timezone}" (an IANA name such as Europe/Amsterdam)`);
  }
  if (typeof window.schedule === 'string') {
    try {
      cronSchedule(window.schedule, zoneKnown ? window.timezone : undefined);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
      problems.push(`${path}.schedule: not a cron expression (minute hour day-of-month month day-of-week): ${reason}`);
    }
  }
  return problems;
}

function oneOffProblems(window: MaintenanceWindowConfig, path: string): string[] {
  const problems: string[] = [];
  if (window.start === undefined) problems.push(`${path}.start: required with end`);
  if (window.end === undefined) problems.push(`${path}.end: required with start`);
  if (window.duration !== undefined)
    problems.push(`${path}.duration: only with schedule (a one-off window has an end)`);
  if (window.timezone !== undefined) {
    problems.push(`${path}.timezone: only with schedule (start and end carry their own offset)`);
  }
  const start = Date.parse(window.start ?? '');
  const end = Date.parse(window.end ?? '');
  if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) problems.push(`${path}.end: must be after start`);
  return problems;
}
