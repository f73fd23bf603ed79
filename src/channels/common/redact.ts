import { secretKeysOf, SecretKind } from '../../config/channels.config';
import { SendResult } from './send-result';

// The one place where channel secrets are kept out of sight. A channel's config marks its secret keys
// (`@Secret()` in its config class); everything shown of a channel (its target, route previews) and
// everything its service answers or an error says about it (`lastError`, the attempt log, the channel
// test's answer, log lines) passes through here first.

export const REDACTED = '[redacted]';

/**
 * Where a channel sends, safe to show (`GET /channels`, route previews): scheme and host only. The
 * user info, the path (webhook URLs carry their secret there) and the query never appear.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}

// Path segments and query values shorter than this are words ("hooks", "api"), not secrets; whole
// paths and queries are redacted whatever their length.
const MIN_PART = 8;

/** The strings a URL's secret may be quoted as: whole, its path and query, their longer parts. */
function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const path = u.pathname === '/' ? '' : u.pathname;
  const parts = [
    ...path.split('/'),
    ...[...u.searchParams.values()],
    ...[path, u.search, u.hash, `${path}${u.search}`].map((p) => (p.length > 1 ? p : '')),
  ].filter((p) => p.length >= MIN_PART || (p.length > 1 && /[/?#]/.test(p[0])));
  return [url, ...[u.username, u.password].filter((p) => p !== ''), ...parts].flatMap((p) => [p, decodeSafely(p)]);
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function secretsOf(kind: SecretKind, value: unknown): string[] {
  if (kind === 'map') {
    return value !== null && typeof value === 'object'
      ? Object.values(value).flatMap((v) => secretsOf('value', v))
      : [];
  }
  if (typeof value !== 'string' || value === '') return [];
  return kind === 'url' ? urlSecrets(value) : [value];
}

/** Every secret string of a channel config: its `@Secret()` keys, in nested objects too. */
export function channelSecrets(config: object): string[] {
  const found: string[] = [];
  for (const [key, kind] of secretKeysOf(config)) {
    found.push(...secretsOf(kind, (config as Record<string, unknown>)[key]));
  }
  for (const value of Object.values(config)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) found.push(...channelSecrets(value));
  }
  return found;
}

// Shorter values are no secrets worth the name, and clearing them would garble ordinary words.
const MIN_SECRET = 4;

/** Replaces each of a channel's secrets in a text (longest first, so no part of one survives). */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET))].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let text = value;
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    return text;
  }

  /** A JSON-able value with every string cleared (route previews). */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return JSON.parse(this.text(JSON.stringify(value))) as T;
  }

  /** What a channel's service answered, cleared before it is stored, logged or returned. */
  result(result: SendResult): SendResult {
    return {
      ...result,
      ...(result.error !== undefined ? { error: this.text(result.error) } : {}),
      ...(result.response !== undefined ? { response: this.text(result.response) } : {}),
    };
  }
}
