// Durations and local times as an operator types them into the silence form.

import { localDay, localMinute } from './time-format';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90m", "2h", "1h30m", "1d", "1w" (spaces and case ignored) in milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const compact = text.replace(/\s+/g, '').toLowerCase();
  if (!/^(\d{1,6}[mhdw])+$/.test(compact)) return null;
  let ms = 0;
  for (const [, count, unit] of compact.matchAll(/(\d+)([mhdw])/g)) ms += Number(count) * UNIT_MS[unit];
  return ms > 0 ? ms : null;
}

/** A `datetime-local` input's value ("2026-03-10T14:30", the browser's time zone) for an instant. */
export function toLocalInput(date: Date): string {
  return `${localDay(date)}T${localMinute(date)}`;
}

/** The instant a `datetime-local` value names in the browser's time zone; null when empty or not a time. */
export function fromLocalInput(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
