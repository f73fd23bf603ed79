import { createHash } from 'node:crypto';
import { SmtpIngressConfig } from '../../config/smtp.config';
import { AlertSignal, alertSignal, MAX_EXTERNAL_ID_BYTES } from '../../domain/alert-signal';
import { utf8Bytes } from '../../common/max-bytes';
import { HaproxyAlert, parseHaproxyAlert } from './haproxy-mail.parser';
import { MailRules, RuleOutcome } from './mail-rules';
import { contentId, ParsedMail, rawPayload, ReceivedMail, withoutNul } from './received-mail';
import { Severity } from '../../domain/notification';

// How one received mail becomes one lifecycle signal (docs/smtp.md):
// 1. HAProxy state mail: `B/S is DOWN` opens `B/S` (source haproxy), `is UP` closes it.
// 2. The first matching mail rule.
// 3. Anything else, HAProxy's drain and health-check mails included, is a one-shot: a notification
//    recorded already closed (revision 1, event `closed`), keyed by Message-ID or a hash of the bytes.

const MAX_MESSAGE_CHARS = 16 * 1024;
const MAX_STATE_CHARS = 64;

export const ONE_SHOT_CLOSE_REASON = 'one-shot: mail that opens nothing is recorded closed';

export function toSignal(
  mail: ReceivedMail,
  parsed: ParsedMail,
  config: SmtpIngressConfig,
  rules: MailRules,
): AlertSignal {
  const base = baseFields(mail, parsed, config);
  const haproxy = config.haproxy.enabled ? parseHaproxyAlert(parsed.subject, parsed.text) : null;
  if (haproxy?.kind === 'state') return withoutNul(haproxyState(haproxy, base, config.haproxy.downSeverity));
  if (!haproxy) {
    const outcome = rules.match({
      from: [mail.envelope.mailFrom, parsed.from].filter((a): a is string => !!a),
      to: [...mail.envelope.rcptTo, ...parsed.to, ...parsed.cc],
      subject: parsed.subject,
      body: parsed.text,
      messageId: parsed.messageId,
    });
    if (outcome) return withoutNul(ruleSignal(outcome, base));
  }
  return withoutNul(oneShot(mail, parsed, base, haproxy));
}

interface BaseFields {
  metadata: Record<string, string>;
  message: string | null;
  payload: Record<string, unknown>;
}

function baseFields(mail: ReceivedMail, parsed: ParsedMail, config: SmtpIngressConfig): BaseFields {
  const e = mail.envelope;
  const metadata: Record<string, string> = {};
  const put = (key: string, value: string | null | undefined) => {
    if (value) metadata[key] = value;
  };
  put('smtp.client', e.remoteAddress);
  put('smtp.helo', e.helo);
  put('smtp.mailFrom', e.mailFrom);
  put('smtp.rcptTo', e.rcptTo.join(', '));
  put('smtp.user', e.user);
  put('mail.from', parsed.from);
  put('mail.to', parsed.to.join(', '));
  put('mail.subject', parsed.subject);
  put('mail.messageId', parsed.messageId);
  put('mail.date', parsed.date);
  put('mail.problem', parsed.problem);
  return {
    metadata,
    message: parsed.text ? parsed.text.slice(0, MAX_MESSAGE_CHARS) : null,
    payload: {
      smtp: e,
      mail: {
        subject: parsed.subject,
        from: parsed.from,
        fromName: parsed.fromName,
        to: parsed.to,
        cc: parsed.cc,
        messageId: parsed.messageId,
        date: parsed.date,
        problem: parsed.problem,
      },
      ...rawPayload(mail.raw, config.storedRawBytes),
    },
  };
}

function haproxyFields(alert: HaproxyAlert): Record<string, string> {
  const fields: Record<string, string | number | boolean | undefined> = {
    'haproxy.event': alert.kind,
    'haproxy.backend': alert.backend,
    'haproxy.server': alert.server,
    'haproxy.backup': alert.backup,
    'haproxy.state': alert.kind === 'state' ? alert.state : undefined,
    'haproxy.reason': alert.reason,
    'haproxy.code': alert.code,
    'haproxy.info': alert.info,
    'haproxy.checkDurationMs': alert.checkDurationMs,
    'haproxy.cause': alert.cause,
    'haproxy.via': alert.via,
    'haproxy.activeServers': alert.activeServers,
    'haproxy.backupServers': alert.backupServers,
    'haproxy.runningOnBackup': alert.runningOnBackup,
    'haproxy.sessionsActive': alert.sessionsActive,
    'haproxy.requeued': alert.requeued,
    'haproxy.queued': alert.queued,
    'haproxy.check': alert.kind === 'check' ? alert.check : undefined,
    'haproxy.checkResult': alert.kind === 'check' ? alert.result : undefined,
    'haproxy.checkStatus':
      alert.kind === 'check' && alert.status
        ? `${alert.status.passed}/${alert.status.needed} ${alert.status.state}`
        : undefined,
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

function haproxyState(
  alert: Extract<HaproxyAlert, { kind: 'state' }>,
  base: BaseFields,
  downSeverity: Severity,
): AlertSignal {
  const id = boundedId(`${alert.backend}/${alert.server}`);
  const down = alert.state === 'DOWN';
  return alertSignal({
    source: 'haproxy',
    sourceInstance: 'haproxy',
    externalId: id,
    action: down ? 'open' : 'close',
    // No source time, so messages apply in the order they take the per-id lock. Not the Date header: it
    // has whole seconds, so a DOWN in the same second as the preceding UP would look stale and be lost.
    // Not the arrival time either: two mailers' copies arrive together, and the one that locks second may
    // carry the earlier time and look stale instead of a duplicate. A late copy from a lagging mailer
    // costs at most an extra open/close pair.
    sourceTime: null,
    severity: down ? downSeverity : 'info',
    sourceState: alert.state,
    // Identical for every mailer's copy, so the copies are duplicates.
    title: `${alert.backup ? 'Backup server' : 'Server'} ${id} is ${alert.state}`,
    message: alert.text,
    component: { name: id, type: 'haproxy-server' },
    tags: [`haproxy-backend:${alert.backend}`, `haproxy-server:${alert.server}`],
    metadata: { ...base.metadata, ...haproxyFields(alert) },
    closeReason: down ? null : alert.text,
    reopenAfterClose: true,
    payload: { ...base.payload, haproxy: alert },
  });
}

function ruleSignal(outcome: RuleOutcome, base: BaseFields): AlertSignal {
  const groups = Object.fromEntries(Object.entries(outcome.groups).map(([k, v]) => [`match.${k}`, v]));
  return alertSignal({
    source: outcome.source,
    sourceInstance: outcome.rule,
    externalId: boundedId(outcome.externalId),
    action: outcome.action,
    // Lock order, for the reason given for HAProxy above.
    sourceTime: null,
    severity: outcome.severity,
    sourceState: outcome.sourceState.slice(0, MAX_STATE_CHARS),
    title: outcome.title,
    message: base.message,
    host: outcome.host,
    metadata: { ...base.metadata, ...groups, 'mail.rule': outcome.rule },
    closeReason: outcome.action === 'close' ? `mail rule ${outcome.rule}: ${outcome.title}` : null,
    reopenAfterClose: outcome.reopenAfterClose,
    payload: { ...base.payload, rule: { name: outcome.rule, groups: outcome.groups } },
  });
}

function oneShot(
  mail: ReceivedMail,
  parsed: ParsedMail,
  base: BaseFields,
  haproxy: Exclude<HaproxyAlert, { kind: 'state' }> | null,
): AlertSignal {
  // Message-ID is what a sender keeps when it re-sends after a 451; HAProxy sends none, and its copies
  // to several mailers are byte-identical, so the hash of the bytes de-duplicates those.
  const externalId = parsed.messageId ? boundedId(parsed.messageId) : contentId(mail.raw);
  const e = mail.envelope;
  const title =
    parsed.problem !== null
      ? `Unparseable mail from ${e.mailFrom || e.remoteAddress}`
      : parsed.subject || `(no subject) from ${parsed.from || e.mailFrom || e.remoteAddress}`;
  if (haproxy) {
    const id = `${haproxy.backend}/${haproxy.server}`;
    const failed = haproxy.kind === 'check' && haproxy.result === 'failed';
    return alertSignal({
      source: 'haproxy',
      sourceInstance: 'haproxy',
      externalId,
      action: 'close',
      severity: haproxy.kind === 'drain' || failed ? 'warning' : 'info',
      sourceState:
        haproxy.kind === 'drain'
          ? 'DRAIN'
          : `${haproxy.check.toUpperCase()}_CHECK_${haproxy.result.toUpperCase().replace(' ', '_')}`,
      title: haproxy.text.split(/[,.] /)[0],
      message: haproxy.text,
      component: { name: id, type: 'haproxy-server' },
      tags: [`haproxy-backend:${haproxy.backend}`, `haproxy-server:${haproxy.server}`],
      metadata: { ...base.metadata, ...haproxyFields(haproxy) },
      closeReason: ONE_SHOT_CLOSE_REASON,
      oneShot: true,
      payload: { ...base.payload, haproxy },
    });
  }
  return alertSignal({
    source: 'email',
    sourceInstance: 'unmatched',
    externalId,
    action: 'close',
    severity: 'unknown',
    sourceState: parsed.problem !== null ? 'UNPARSEABLE' : 'MAIL',
    title,
    message: base.message,
    metadata: base.metadata,
    closeReason: ONE_SHOT_CLOSE_REASON,
    oneShot: true,
    payload: base.payload,
  });
}

// An id too long for the notifications index (a pathological Message-ID or rule template, an absurd
// HAProxy name) is replaced by its hash: still stable across re-sends, so de-duplication holds.
function boundedId(id: string): string {
  return utf8Bytes(id) <= MAX_EXTERNAL_ID_BYTES ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}
