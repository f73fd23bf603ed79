// HAProxy `email-alert` mail (docs/sources.md, "HAProxy mail"). The whole alert is one line, sent as
// `Subject: [HAProxy Alert] <msg>` and again as the body. Native C mailers (<= 3.2) and the Lua mailers
// of 2.8+/3.x word it slightly differently; every tail field is optional.

export interface HaproxyCounts {
  activeServers?: number;
  backupServers?: number;
  runningOnBackup?: boolean;
  sessionsActive?: number;
  requeued?: number;
  queued?: number;
}

interface HaproxyAlertBase extends HaproxyCounts {
  backend: string;
  server: string;
  backup: boolean;
  /** The alert text without the `[HAProxy Alert]` prefix. */
  text: string;
  reason?: string;
  code?: number;
  info?: string;
  checkDurationMs?: number;
  /** `changed from CLI`, a drain cause such as `'disable' on stats page`, ... */
  cause?: string;
  /** Tracked server this one follows (`via px/srv`). */
  via?: string;
}

export interface HaproxyStateAlert extends HaproxyAlertBase {
  kind: 'state';
  state: 'UP' | 'DOWN';
}

export interface HaproxyDrainAlert extends HaproxyAlertBase {
  kind: 'drain';
}

export interface HaproxyCheckAlert extends HaproxyAlertBase {
  kind: 'check';
  check: 'health' | 'agent';
  result: 'succeeded' | 'conditionally succeeded' | 'failed';
  /** `status: x/y STATE`: checks passed of those needed, and the state the server is in. */
  status?: { passed: number; needed: number; state: 'UP' | 'DOWN' | 'DRAIN' };
}

export type HaproxyAlert = HaproxyStateAlert | HaproxyDrainAlert | HaproxyCheckAlert;

// `[HAproxy Alert]` before 2.4 (commit 64975cf2a), `[HAProxy Alert]` since.
const PREFIX = /^\s*\[HAProxy Alert\]\s*/i;
// Proxy and server names cannot contain '/' or spaces. The Lua mailer appends a non-check cause to
// "is DOWN" with no separator, so nothing is required after the state word. The proxy name is the run
// before the first '/', not a lazy match: a lazy one retried every '/' of a long line (quadratic time:
// 6 s for 80 kB of "a/a/…"), while this way each regex reads the line once.
const STATE = /^(?:(Backup) )?Server ([^\s/]+)\/(\S+) is (UP|DOWN)(.*)$/s;
const DRAIN = /^(?:(Backup) )?Server ([^\s/]+)\/(\S+) enters drain state(.*)$/s;
const CHECK =
  /^(Health|Agent) check for (backup )?server ([^\s/]+)\/(\S+) (conditionally succeeded|succeeded|failed)(.*)$/s;

const INFO = /, info: "((?:[^"\\]|\\.)*)"/;
const REASON = /reason: ([^,]+)/;
const CODE = /, code: (-?\d+)/;
const DURATION = /check duration: (\d+)ms/;
// Names may contain '.', so `via` ends at a ',' or where the counts were cut off.
const VIA = / via (\S+?\/[^\s,]+)/;
const CAUSE = /changed from (CLI|Lua script|Web interface|server-state after a reload)/;
const LEFT = /(\d+) active and (\d+) backup servers (?:left|online)/;
const ON_BACKUP = /Running on backup/;
const DOWN_SESSIONS = /(\d+) sessions active, (\d+) requeued, (\d+) remaining in queue/;
const UP_SESSIONS = /(\d+) sessions requeued, (\d+) total in queue/;
const STATUS = /status: (\d+)\/(\d+) (UP|DOWN|DRAIN)/;
const DRAIN_CAUSE = /^ \(([^)]*)\)/;

/** True when the subject carries HAProxy's alert prefix. */
export function isHaproxySubject(subject: string): boolean {
  return PREFIX.test(subject);
}

/**
 * Parses an HAProxy alert from the mail's subject (falling back to the first body line, the same
 * text), or returns null when neither is one of HAProxy's alert forms.
 */
export function parseHaproxyAlert(subject: string, body?: string | null): HaproxyAlert | null {
  if (!isHaproxySubject(subject)) return null;
  const fromSubject = parseAlertText(subject.replace(PREFIX, ''));
  if (fromSubject) return fromSubject;
  const firstLine = (body ?? '').split(/\r?\n/).find((line) => line.trim().length > 0);
  return firstLine === undefined ? null : parseAlertText(firstLine.replace(PREFIX, ''));
}

/** Parses the alert text itself (what follows `[HAProxy Alert] `), as also written to the log. */
export function parseAlertText(raw: string): HaproxyAlert | null {
  // The syslog form ends with '.', the mail form does not.
  const text = raw.trim().replace(/\.$/, '');
  let match = STATE.exec(text);
  if (match) {
    return {
      kind: 'state',
      backup: match[1] !== undefined,
      backend: match[2],
      server: match[3],
      state: match[4] as 'UP' | 'DOWN',
      text,
      ...tail(match[5]),
    };
  }
  match = DRAIN.exec(text);
  if (match) {
    const rest = match[4];
    const cause = DRAIN_CAUSE.exec(rest)?.[1];
    return {
      kind: 'drain',
      backup: match[1] !== undefined,
      backend: match[2],
      server: match[3],
      text,
      ...tail(rest.replace(DRAIN_CAUSE, '')),
      ...(cause !== undefined ? { cause } : {}),
    };
  }
  match = CHECK.exec(text);
  if (match) {
    const rest = match[6];
    const status = STATUS.exec(rest);
    return {
      kind: 'check',
      check: match[1] === 'Health' ? 'health' : 'agent',
      backup: match[2] !== undefined,
      backend: match[3],
      server: match[4],
      result: match[5] as HaproxyCheckAlert['result'],
      text,
      ...tail(rest),
      ...(status
        ? {
            status: {
              passed: Number(status[1]),
              needed: Number(status[2]),
              state: status[3] as 'UP' | 'DOWN' | 'DRAIN',
            },
          }
        : {}),
    };
  }
  return null;
}

type Tail = Omit<HaproxyAlertBase, 'backend' | 'server' | 'backup' | 'text'>;

/** The optional fields after the state words; `info` is taken out first since it may hold anything. */
function tail(rest: string): Tail {
  const out: Tail = {};
  const info = INFO.exec(rest);
  if (info) {
    out.info = info[1].replace(/\\(.)/g, '$1');
    rest = rest.replace(INFO, '');
  }
  // The counts follow the first ". " after the cause fields.
  const countsAt = rest.search(/\. \d+ active and/);
  const fields = countsAt >= 0 ? rest.slice(0, countsAt) : rest;
  const counts = countsAt >= 0 ? rest.slice(countsAt) : '';

  const reason = REASON.exec(fields);
  if (reason) out.reason = reason[1].trim();
  const code = CODE.exec(fields);
  if (code) out.code = Number(code[1]);
  const duration = DURATION.exec(fields);
  if (duration) out.checkDurationMs = Number(duration[1]);
  const via = VIA.exec(fields);
  if (via) out.via = via[1];
  const cause = CAUSE.exec(fields);
  if (cause) out.cause = cause[0];

  const left = LEFT.exec(counts);
  if (left) {
    out.activeServers = Number(left[1]);
    out.backupServers = Number(left[2]);
  }
  if (ON_BACKUP.test(counts)) out.runningOnBackup = true;
  const down = DOWN_SESSIONS.exec(counts);
  if (down) {
    out.sessionsActive = Number(down[1]);
    out.requeued = Number(down[2]);
    out.queued = Number(down[3]);
  }
  const up = UP_SESSIONS.exec(counts);
  if (up) {
    out.requeued = Number(up[1]);
    out.queued = Number(up[2]);
  }
  return out;
}
