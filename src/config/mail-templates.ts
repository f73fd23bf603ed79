// The `{name}` templates of SMTP mail rules (ingress.smtp.rules): shared by the config check at boot and
// the rule engine, so a template that names an unknown field is a config error, never a silent blank.

/** Fields every rule template can use, besides the named groups of the rule's regexes. */
export const MAIL_BUILTIN_FIELDS = ['subject', 'from', 'to', 'messageId', 'rule'] as const;

const FIELD = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const NAMED_GROUP = /\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>/g;

/** The `{name}` fields a template refers to. */
export function templateFields(template: string): string[] {
  return [...template.matchAll(FIELD)].map((m) => m[1]);
}

/** The named groups `(?<name>…)` a regex source defines. */
export function namedGroups(source: string): string[] {
  return [...source.matchAll(NAMED_GROUP)].map((m) => m[1]);
}

/** Replaces every `{name}` by its value; a group that did not take part in the match is empty. */
export function renderTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(FIELD, (_m, name: string) => values[name] ?? '');
}
