// ISO 8601 / RFC 3339 date-times as webhook senders write them: Go's RFC 3339 with up to nine fractional
// digits (Alertmanager, Grafana, Kapacitor), PagerDuty's documented `+0000` offsets. Parsed here instead
// of by `new Date()`, which also takes many other forms (and so would take typos).
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** What a date-time string says: an instant, a local time with no zone (ambiguous), or nothing valid. */
export type ParsedTimestamp = { kind: 'instant'; date: Date } | { kind: 'no-zone' } | { kind: 'invalid' };

export function parseTimestamp(value: string): ParsedTimestamp {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return { kind: 'invalid' };
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const millis = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return { kind: 'invalid' };
  if (!m[8] && !m[9]) return { kind: 'no-zone' };
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return { kind: 'invalid' };
  // setUTCFullYear, not Date.UTC: Date.UTC takes the years 0-99 as 1900-1999 (Go's zero time is year 1).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return { kind: 'invalid' };
  // A leap second (:60) is the next second, as Go and PostgreSQL read it.
  date.setUTCHours(hour, minute, second, millis);
  const sign = m[9] === '-' ? -1 : 1;
  date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  // An offset can carry a time past the four-digit years (0000-01-01T00:00+01:00 is in the year -1):
  // such an instant has no RFC 3339 form in UTC, in which the API gives every time back.
  if (date.getTime() < FIRST_INSTANT || date.getTime() > LAST_INSTANT) return { kind: 'invalid' };
  return { kind: 'instant', date };
}

/** The first and last instants with an RFC 3339 form in UTC: 0000-01-01T00:00:00Z, 9999-12-31T23:59:59.999Z. */
const FIRST_INSTANT = -62167219200000;
const LAST_INSTANT = 253402300799999;

/** Go's zero time.Time, which Alertmanager and Grafana send as `endsAt` while an alert fires. */
const GO_ZERO_TIME = -62135596800000;

/** An RFC 3339 instant, or null for Go's zero time ("not set"); undefined when it is not a valid instant. */
export function instantOrZero(value: string): Date | null | undefined {
  const parsed = parseTimestamp(value);
  if (parsed.kind !== 'instant') return undefined;
  return parsed.date.getTime() === GO_ZERO_TIME ? null : parsed.date;
}
