// Instants as the console shows them, without Intl: the page's first Intl object (or toLocaleString)
// loads the browser's locale data, 40-150 ms in a fresh browser, which held back the first list.

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-03-10", "14:30": a date's day and minute in the browser's time zone. */
export const localDay = (date: Date): string =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
export const localMinute = (date: Date): string => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

/** "2026-03-10 14:30:05 UTC+01:00": the browser's time zone, named by its offset, never ambiguous. */
export function exactTime(at: string | Date): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  const offset = -date.getTimezoneOffset();
  const zone =
    offset === 0
      ? 'UTC'
      : `UTC${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${localDay(date)} ${localMinute(date)}:${pad(date.getSeconds())} ${zone}`;
}

// Units as English abbreviates them ("3 min. ago", "in 2 hr."), each up to the size of the next.
const STEPS: [singular: string, plural: string, size: number][] = [
  ['sec.', 'sec.', 60],
  ['min.', 'min.', 60],
  ['hr.', 'hr.', 24],
  ['day', 'days', 365],
];

/**
 * "3 min. ago", "in 2 hr.", "now", "yesterday": how far an instant is from now, rounded, in its largest
 * unit (a silence made for 2 h reads "in 2 hr.", not "in 1 hr." a moment later).
 */
export function age(at: string, now = Date.now()): string {
  let value = (new Date(at).getTime() - now) / 1000;
  for (const [singular, plural, size] of STEPS) {
    const rounded = Math.round(value);
    if (Math.abs(rounded) < size) return relative(rounded, singular, plural);
    value /= size;
  }
  return relative(Math.round(value), 'yr.', 'yr.');
}

function relative(n: number, singular: string, plural: string): string {
  if (n === 0 && singular === 'sec.') return 'now';
  if (singular === 'day' && Math.abs(n) === 1) return n > 0 ? 'tomorrow' : 'yesterday';
  const amount = `${Math.abs(n)} ${Math.abs(n) === 1 ? singular : plural}`;
  return n >= 0 ? `in ${amount}` : `${amount} ago`;
}
