import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { toDetails } from '../common/validation';
import { ChannelTypeSchema, parseChannels, parseRateLimits } from './channels.config';
import { AppConfigFile, EnvironmentConfig } from './config.schema';
import { DeliveryConfig } from './delivery.config';
import { maintenanceProblems } from './maintenance.config';
import { HostConfig } from './routes.config';
import { MAIL_BUILTIN_FIELDS, namedGroups, templateFields } from './mail-templates';

export interface AppConfig extends AppConfigFile {
  env: EnvironmentConfig;
}

/** A config that cannot be used; `problems` holds one line per problem, each naming its key path. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads the environment and the YAML file once, at boot; nothing else reads `process.env`.
 * `channelTypes` are the channel types the service was built with (src/channels/channel-types.ts):
 * `channels:` entries and `delivery.rateLimits` are checked against them.
 */
export function loadConfig(channelTypes: readonly ChannelTypeSchema[], env: Env = process.env): AppConfig {
  const environment = loadEnvironment(env);
  const file = loadFile(environment.configPath, env, channelTypes);
  return Object.assign(file, { env: environment });
}

function loadEnvironment(env: Env): EnvironmentConfig {
  const raw = {
    port: env.PORT === undefined ? 8080 : Number(env.PORT),
    host: env.HOST ?? '0.0.0.0',
    smtpPort: env.SMTP_PORT === undefined ? 2525 : Number(env.SMTP_PORT),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: env.DATABASE_POOL_SIZE === undefined ? 10 : Number(env.DATABASE_POOL_SIZE),
    databaseStatementTimeoutMs:
      env.DATABASE_STATEMENT_TIMEOUT_MS === undefined ? 10_000 : Number(env.DATABASE_STATEMENT_TIMEOUT_MS),
    dataDir: resolve(env.DATA_DIR ?? './data'),
    configPath: resolve(env.ALERT_RELAY_CONFIG ?? 'config/alert-relay.yaml'),
    logLevel: env.LOG_LEVEL ?? 'info',
    workers: env.WORKERS === undefined ? 1 : Number(env.WORKERS),
  };
  const environment = plainToInstance(EnvironmentConfig, raw);
  const names: Record<string, string> = {
    port: 'PORT',
    host: 'HOST',
    smtpPort: 'SMTP_PORT',
    databaseUrl: 'DATABASE_URL',
    databasePoolSize: 'DATABASE_POOL_SIZE',
    databaseStatementTimeoutMs: 'DATABASE_STATEMENT_TIMEOUT_MS',
    dataDir: 'DATA_DIR',
    configPath: 'ALERT_RELAY_CONFIG',
    logLevel: 'LOG_LEVEL',
    workers: 'WORKERS',
  };
  const problems = flattenErrors(validateSync(environment)).map((p) => {
    const [key, ...rest] = p.split(':');
    return `${names[key] ?? key}:${rest.join(':')}`;
  });
  if (environment.workers > 1 && !environment.databaseUrl) {
    problems.push('WORKERS: more than 1 needs DATABASE_URL (the embedded database lives in one process)');
  }
  if (problems.length > 0) throw new ConfigError('the environment', problems);
  return environment;
}

function loadFile(path: string, env: Env, channelTypes: readonly ChannelTypeSchema[]): AppConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(path, [`not valid YAML: ${message}`]);
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(path, ['the top level must be a mapping']);
  }
  const problems: string[] = [];
  const substituted = substituteEnv(parsed, env, '', problems);
  const config = plainToInstance(AppConfigFile, substituted);
  const validation = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };
  problems.push(
    ...flattenErrors(validateSync(config, validation)),
    ...uniquenessProblems(config),
    ...smtpProblems(config),
    ...(Array.isArray(config.maintenance) ? maintenanceProblems(config.maintenance) : []),
  );
  const raw = substituted as { channels?: unknown; delivery?: { rateLimits?: unknown } };
  const channels = parseChannels(raw.channels, channelTypes, flattenErrors);
  config.channels = channels.channels;
  problems.push(...channels.problems);
  if (config.delivery instanceof DeliveryConfig) {
    const rates = parseRateLimits(raw.delivery?.rateLimits, channelTypes, flattenErrors);
    config.delivery.rateLimits = rates.rateLimits;
    problems.push(...rates.problems);
  }
  config.hosts = parseHosts(config.hosts, problems, (errors, parent) => flattenErrors(errors, parent));
  problems.push(...referenceProblems(config));
  if (problems.length > 0) throw new ConfigError(path, problems);
  return config;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${VAR}` and `${VAR:-default}` in every string value. */
function substituteEnv(value: unknown, env: Env, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push(`${path || '(top level)'}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, path ? `${path}.${k}` : k, problems)]),
    );
  }
  return value;
}

function uniquenessProblems(config: AppConfigFile): string[] {
  const problems: string[] = [];
  // Runs before the types are known to be right: look only at arrays of objects.
  const list = <T>(value: T[] | undefined): T[] =>
    Array.isArray(value) ? value.filter((v) => v !== null && typeof v === 'object') : [];
  const check = (path: string, values: string[], what: string) => {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      if (seen.has(value)) problems.push(`${path}[${i}]: duplicate ${what}`);
      seen.add(value);
    });
  };
  const tokens = list(config.ingress?.stackstate?.tokens);
  check(
    'ingress.stackstate.tokens',
    tokens.map((t) => t.name),
    'name',
  );
  check(
    'ingress.stackstate.tokens',
    tokens.map((t) => t.token),
    'token',
  );
  const keys = list(config.ingress?.monasca?.keys);
  check(
    'ingress.monasca.keys',
    keys.map((k) => k.name),
    'name',
  );
  check(
    'ingress.monasca.keys',
    keys.map((k) => k.key),
    'key',
  );
  const apiKeys = list(config.api?.keys);
  check(
    'api.keys',
    apiKeys.map((k) => k.name),
    'name',
  );
  check(
    'api.keys',
    apiKeys.map((k) => k.key),
    'key',
  );
  // Digest groups and the deliveries API know a route by its name.
  check(
    'routes',
    list(config.routes).map((r, i) => (typeof r.name === 'string' ? r.name : `route-${i}`)),
    'name',
  );
  return problems;
}

function smtpProblems(config: AppConfigFile): string[] {
  const smtp = config.ingress?.smtp;
  if (!smtp) return [];
  const problems: string[] = [];
  if (smtp.auth?.required && (smtp.auth.users ?? []).length === 0) {
    problems.push('ingress.smtp.auth.required: needs at least one user in ingress.smtp.auth.users');
  }
  (smtp.rules ?? []).forEach((rule, i) => {
    const path = `ingress.smtp.rules[${i}]`;
    const match = rule.match ?? {};
    const sources = [match.from, match.to, match.subject, match.body].filter((s): s is string => !!s);
    if (sources.length === 0) problems.push(`${path}.match: needs at least one of from, to, subject, body`);
    const known = new Set<string>([...MAIL_BUILTIN_FIELDS, ...sources.flatMap(namedGroups)]);
    for (const key of ['externalId', 'title', 'sourceState', 'host'] as const) {
      const template = rule[key];
      if (typeof template !== 'string') continue;
      for (const field of templateFields(template)) {
        if (!known.has(field)) {
          problems.push(
            `${path}.${key}: {${field}} is neither a named group of the rule's regexes nor one of ${MAIL_BUILTIN_FIELDS.join(', ')}`,
          );
        }
      }
    }
  });
  const rules = smtp.rules ?? [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.name)) problems.push(`ingress.smtp.rules[${i}]: duplicate name`);
    seen.add(rule.name);
  });
  return problems;
}

function parseHosts(
  raw: unknown,
  problems: string[],
  toProblems: (errors: ValidationError[], parent: string) => string[],
): Record<string, HostConfig> {
  const hosts: Record<string, HostConfig> = {};
  if (raw === undefined || raw === null || typeof raw !== 'object') return hosts;
  for (const [name, value] of Object.entries(raw)) {
    const host = plainToInstance(HostConfig, value ?? {});
    problems.push(
      ...toProblems(
        validateSync(host, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
        `hosts.${name}`,
      ),
    );
    hosts[name] = host;
  }
  return hosts;
}

/** Every channel a route, `defaultChannels` or `hosts` names must be defined under `channels`. */
function referenceProblems(config: AppConfigFile): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(config.channels ?? {}));
  const check = (path: string, names: string[] | undefined) =>
    (names ?? []).forEach((name, i) => {
      if (typeof name === 'string' && !known.has(name)) {
        problems.push(`${path}[${i}]: no channel named "${name}" under channels`);
      }
    });
  (config.routes ?? []).forEach((route, i) => check(`routes[${i}].channels`, route.channels));
  check('defaultChannels', config.defaultChannels);
  for (const [name, host] of Object.entries(config.hosts ?? {})) {
    check(`hosts.${name}.notification_channels`, host.notification_channels);
  }
  return problems;
}

function flattenErrors(errors: ValidationError[], parent = ''): string[] {
  return toDetails(errors, parent).map(
    (d) => `${d.field}: ${d.problem === 'unknown field' ? 'unknown key' : d.problem}`,
  );
}
