import { AlertSignal, alertSignal } from '../domain/alert-signal';

// What the lifecycle's unit specs decide on: one id's messages, varied by the fields that matter to it.

/** A source time `seconds` after the epoch. */
export const t = (seconds: number) => new Date(seconds * 1000);

/** An open of id `x` at t(10), critical "Disk full", with the overrides. */
export function lifecycleSignal(overrides: Partial<AlertSignal> = {}): AlertSignal {
  return alertSignal({
    source: 'test',
    sourceInstance: 'default',
    externalId: 'x',
    action: 'open',
    sourceTime: t(10),
    severity: 'critical',
    sourceState: 'CRITICAL',
    title: 'Disk full',
    payload: {},
    ...overrides,
  });
}
