import { MailRuleConfig } from '../../config/smtp.config';
import { renderTemplate } from '../../config/mail-templates';
import { Severity } from '../../domain/notification';

/** What a rule looks at: envelope and header addresses together, the subject and the text body. */
export interface MailFacts {
  /** Envelope MAIL FROM and the From: header address. */
  from: string[];
  /** Envelope recipients and the To:/Cc: header addresses. */
  to: string[];
  subject: string;
  body: string;
  messageId: string | null;
}

export interface RuleOutcome {
  rule: string;
  source: string;
  externalId: string;
  action: 'open' | 'close';
  severity: Severity;
  title: string;
  sourceState: string;
  host: string | null;
  reopenAfterClose: boolean;
  /** The named groups the rule's regexes captured. */
  groups: Record<string, string>;
}

interface CompiledRule {
  config: MailRuleConfig;
  from?: RegExp;
  to?: RegExp;
  subject?: RegExp;
  body?: RegExp;
}

// Bounds the work one mail can cause in a user-written regex.
const MAX_BODY_CHARS = 64 * 1024;

export class MailRules {
  private readonly rules: CompiledRule[];

  constructor(rules: MailRuleConfig[]) {
    this.rules = rules.map((config) => {
      const flags = config.match.ignoreCase === false ? 'u' : 'iu';
      const compile = (source: string | undefined) => (source ? new RegExp(source, flags) : undefined);
      return {
        config,
        from: compile(config.match.from),
        to: compile(config.match.to),
        subject: compile(config.match.subject),
        body: compile(config.match.body),
      };
    });
  }

  /** The first rule (in config order) whose every matcher matches and whose externalId is not empty. */
  match(facts: MailFacts): RuleOutcome | null {
    const body = facts.body.slice(0, MAX_BODY_CHARS);
    for (const rule of this.rules) {
      const groups: Record<string, string> = {};
      const matched =
        matchAny(rule.from, facts.from, groups) &&
        matchAny(rule.to, facts.to, groups) &&
        matchAny(rule.subject, [facts.subject], groups) &&
        matchAny(rule.body, [body], groups);
      if (!matched) continue;
      const values = {
        subject: facts.subject,
        from: facts.from[0] ?? '',
        to: facts.to[0] ?? '',
        messageId: facts.messageId ?? '',
        rule: rule.config.name,
        ...groups,
      };
      const config = rule.config;
      const externalId = renderTemplate(config.externalId, values).trim();
      if (externalId === '') continue;
      const host = config.host === undefined ? '' : renderTemplate(config.host, values).trim();
      return {
        rule: config.name,
        source: config.source,
        externalId,
        action: config.action,
        severity: config.severity,
        title: renderTemplate(config.title, values).trim() || facts.subject || '(no subject)',
        sourceState:
          (config.sourceState === undefined ? '' : renderTemplate(config.sourceState, values).trim()) ||
          config.action.toUpperCase(),
        host: host === '' ? null : host,
        reopenAfterClose: config.reopenAfterClose,
        groups,
      };
    }
    return null;
  }
}

/** No matcher matches everything; otherwise the first candidate that matches lends its named groups. */
function matchAny(regex: RegExp | undefined, candidates: string[], groups: Record<string, string>): boolean {
  if (!regex) return true;
  for (const candidate of candidates) {
    const match = regex.exec(candidate);
    if (!match) continue;
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      if (value !== undefined) groups[name] = value;
    }
    return true;
  }
  return false;
}
