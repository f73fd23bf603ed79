import { ChannelStateEntity } from './channel-state.entity';
import { AdmissionRow } from './channel-state.repository';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What the worker does with the deliveries it claimed for one channel. */
export type Admission =
  | { kind: 'disabled'; reason: string }
  /** Send the first `granted` sends; hold the rest back for `waitMs`. */
  | { kind: 'send'; granted: number; waitMs: number };

// A held-back delivery comes back no sooner than this: a claim round costs more than a token is worth.
const MIN_WAIT_MS = 20;

/** The worker's reading of one admission statement (channel-state.repository.ts). */
export function admissionOf(row: AdmissionRow, perSecond: number): Admission {
  if (row.disabledAt !== null) return { kind: 'disabled', reason: row.disabledReason ?? 'disabled' };
  let waitMs: number;
  if (row.openForMs !== null && row.openForMs > 0) waitMs = row.openForMs;
  else if (row.probeForMs !== null && row.probeForMs > 0 && circuitOf(row.openForMs) === 'half-open') {
    waitMs = row.probeForMs;
  } else waitMs = ((1 - Math.min(row.tokens, 1)) / perSecond) * 1000;
  return { kind: 'send', granted: row.granted, waitMs: Math.max(MIN_WAIT_MS, Math.ceil(waitMs)) };
}

/** The circuit, from how long it stays open (null: it is not). */
export function circuitOf(openForMs: number | null): CircuitState {
  if (openForMs === null) return 'closed';
  return openForMs > 0 ? 'open' : 'half-open';
}

/**
 * What this process last heard of a channel's shared state, to decide whether claiming its
 * deliveries is worth it before asking the database (another replica may have taken the tokens
 * since: the admission statement is what decides).
 */
export class ChannelOutlook {
  private tokens = Infinity;
  private at = 0;
  private blockedUntil = 0;
  disabled = false;
  failures = 0;
  circuit: CircuitState = 'closed';

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  heard(row: AdmissionRow, now: number): void {
    this.tokens = row.tokens;
    this.at = now;
    this.disabled = row.disabledAt !== null;
    this.failures = row.failures;
    this.circuit = circuitOf(row.openForMs);
    const probing = this.circuit === 'half-open' && row.probeForMs !== null && row.probeForMs > 0;
    this.blockedUntil = now + Math.max(row.openForMs ?? 0, probing ? (row.probeForMs ?? 0) : 0, 0);
  }

  /** Whether claiming is worth it now: a disabled channel's deliveries are claimed to dead-letter them. */
  claimable(now: number): boolean {
    return this.capacity(now) >= 1;
  }

  /**
   * How many sends are worth claiming now, as far as this process last heard (the admission decides):
   * none while the circuit is open or a probe is out, one when half-open, else the tokens there are.
   */
  capacity(now: number): number {
    if (this.disabled) return this.burst;
    if (now < this.blockedUntil) return 0;
    const tokens = Math.floor(Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond));
    return this.circuit === 'half-open' ? Math.min(tokens, 1) : tokens;
  }

  /** Milliseconds until a send is worth claiming again (0: now). */
  msUntilClaimable(now: number): number {
    if (this.capacity(now) >= 1) return 0;
    if (now < this.blockedUntil) return this.blockedUntil - now;
    const tokens = this.tokens + ((now - this.at) / 1000) * this.perSecond;
    return Math.max(1, Math.ceil(((1 - tokens) / this.perSecond) * 1000));
  }
}

/** A channel's shared state as the API and metrics show it. */
export function channelStatus(
  state: ChannelStateEntity | undefined,
  now: Date,
): { circuit: CircuitState; disabled: { at: string; reason: string } | null } {
  const openForMs = state?.openUntil ? state.openUntil.getTime() - now.getTime() : null;
  return {
    circuit: circuitOf(openForMs),
    disabled: state?.disabledAt ? { at: state.disabledAt.toISOString(), reason: state.disabledReason ?? '' } : null,
  };
}
