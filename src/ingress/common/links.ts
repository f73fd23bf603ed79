import { LinkRef } from '../../domain/notification';

/**
 * Links from a source's URLs: only absolute http(s) URLs (channels and the console render them as links,
 * where `javascript:` or a relative path would be wrong or worse); empty and missing ones are left out.
 */
export function httpLinks(candidates: readonly (readonly [rel: string, href: unknown])[]): LinkRef[] {
  const links: LinkRef[] = [];
  for (const [rel, href] of candidates) {
    if (typeof href !== 'string' || !/^https?:\/\//i.test(href.trim())) continue;
    try {
      new URL(href.trim());
    } catch {
      continue;
    }
    links.push({ rel, href: href.trim() });
  }
  return links;
}

/**
 * A source's id scoped by the configured key it came with (`<key name>/<id>`): the unique index is on
 * (source, externalId), and two unrelated senders may use the same id (Alertmanager's fingerprint of
 * `alertname="Watchdog"`, PagerDuty dedup keys like `srv01/HTTP`). Key names have no `/`, so the first
 * one splits the two.
 */
export function scopedId(keyName: string, id: string): string {
  return `${keyName}/${id}`;
}
