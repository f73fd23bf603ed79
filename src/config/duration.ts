import { registerDecorator, ValidationOptions } from 'class-validator';

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `1h`, `7d` in milliseconds; throws on anything else (validated at boot). */
export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** A duration string such as `30s`, `5m`, `1h`, `24h`, `7d` (and at least `min`). */
export function IsDuration(min = '0ms', options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isDuration',
      target: object.constructor,
      propertyName,
      options: { message: `must be a duration like 500ms, 30s, 5m, 1h or 7d, at least ${min}`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && DURATION.test(value) && durationMs(value) >= durationMs(min),
      },
    });
}
