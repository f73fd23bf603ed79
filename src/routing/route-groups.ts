import { createHash } from 'node:crypto';
import { RouteGroupConfig } from '../config/routes.config';
import { durationMs } from '../config/duration';
import type { RoutableNotification } from './routes';

// Grouping a route's changes into digests (docs/noise-control.md): which group a notification falls in.

/** A route's `group:`, compiled. */
export interface RouteGroup {
  by: string[];
  waitMs: number;
  intervalMs: number;
  maxItems: number;
}

/** One value of a group key: `host` → `db-7`; null when the notification has none. */
export interface GroupLabel {
  key: string;
  value: string | null;
}

/** The group a change joins on one route, with the route's timing. */
export interface TargetGroup {
  /** Stable for equal labels: sha256 (hex) of the labels, so any value length fits a unique index. */
  key: string;
  labels: GroupLabel[];
  waitMs: number;
  intervalMs: number;
  maxItems: number;
}

export function compileGroup(config: RouteGroupConfig): RouteGroup {
  return {
    by: config.by,
    waitMs: durationMs(config.wait),
    intervalMs: durationMs(config.interval),
    maxItems: config.maxItems,
  };
}

export function groupOf(group: RouteGroup, n: RoutableNotification): TargetGroup {
  const labels = group.by.map((key) => ({ key, value: labelValue(key, n) }));
  const key = createHash('sha256').update(JSON.stringify(labels)).digest('hex');
  return { key, labels, waitMs: group.waitMs, intervalMs: group.intervalMs, maxItems: group.maxItems };
}

/**
 * `host` is compared without case, as routes match it; `metadata.<key>` is one metadata value;
 * `tag:<prefix>` is every component tag that starts with the prefix, sorted.
 */
export function labelValue(key: string, n: RoutableNotification): string | null {
  if (key.startsWith('metadata.')) {
    const value = n.metadata[key.slice('metadata.'.length)];
    return value === undefined || value === null ? null : String(value);
  }
  if (key.startsWith('tag:')) {
    const prefix = key.slice('tag:'.length);
    const tags = [...new Set(n.tags.filter((t) => t.startsWith(prefix)))].sort();
    return tags.length > 0 ? tags.join(', ') : null;
  }
  switch (key) {
    case 'source':
      return n.source;
    case 'sourceInstance':
      return n.sourceInstance;
    case 'severity':
      return n.severity;
    case 'status':
      return n.status;
    case 'host':
      return n.host === null ? null : n.host.toLowerCase();
    default:
      // The config loader accepts no other key (GROUP_BY_PATTERN).
      throw new Error(`cannot group by "${key}"`);
  }
}
