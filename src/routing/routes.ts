import { AppConfigFile } from '../config/config.schema';
import { RouteMatchConfig } from '../config/routes.config';
import { durationMs } from '../config/duration';
import { NotificationStatus } from '../domain/notification';
import { compileGroup, groupOf, RouteGroup, TargetGroup } from './route-groups';

/** The notification fields routes look at. */
export interface RoutableNotification {
  source: string;
  sourceInstance: string;
  severity: string;
  status: NotificationStatus;
  tags: string[];
  metadata: Record<string, string>;
  host: string | null;
}

export interface CompiledRoute {
  /** `routes[i]` name, or `route-<i>`, or `host:<name>` for `hosts:` entries. */
  name: string;
  match: RouteMatchConfig;
  channels: string[];
  continue: boolean;
  remindEveryMs: number | null;
  /** `group:`: its changes go out as digests. */
  group: RouteGroup | null;
}

export interface RoutingTable {
  routes: CompiledRoute[];
  defaultChannels: string[];
}

export interface ChannelTarget {
  channel: string;
  /** The first route that picked this channel, or `defaultChannels`. */
  route: string;
  /** Smallest `remindEvery` of the matching routes that name this channel. */
  remindEveryMs: number | null;
  /** The digest group of the route that picked the channel, when that route groups. */
  group?: TargetGroup;
}

export interface RoutingResult {
  matchedRoutes: string[];
  targets: ChannelTarget[];
}

/** `routes`, then one route per `hosts:` entry (channels default to `defaultChannels`). */
export function compileRoutes(config: Pick<AppConfigFile, 'routes' | 'hosts' | 'defaultChannels'>): RoutingTable {
  const routes: CompiledRoute[] = config.routes.map((route, index) => ({
    name: route.name ?? `route-${index}`,
    match: route.match,
    channels: route.channels,
    continue: route.continue,
    remindEveryMs: route.remindEvery ? durationMs(route.remindEvery) : null,
    group: route.group ? compileGroup(route.group) : null,
  }));
  for (const [host, entry] of Object.entries(config.hosts)) {
    routes.push({
      name: `host:${host}`,
      match: Object.assign(new RouteMatchConfig(), { host: [host] }),
      channels: entry.notification_channels ?? config.defaultChannels,
      continue: false,
      remindEveryMs: entry.remindEvery ? durationMs(entry.remindEvery) : null,
      group: null,
    });
  }
  return { routes, defaultChannels: config.defaultChannels };
}

/**
 * Routes in order: each matching route adds its channels and ends the walk unless it says
 * `continue`; when none matches, `defaultChannels`.
 */
export function evaluateRoutes(table: RoutingTable, n: RoutableNotification): RoutingResult {
  const matchedRoutes: string[] = [];
  const targets = new Map<string, ChannelTarget>();
  for (const route of table.routes) {
    if (!matches(route.match, n)) continue;
    matchedRoutes.push(route.name);
    for (const channel of route.channels) {
      const existing = targets.get(channel);
      if (!existing) {
        const target: ChannelTarget = { channel, route: route.name, remindEveryMs: route.remindEveryMs };
        if (route.group) target.group = groupOf(route.group, n);
        targets.set(channel, target);
      } else existing.remindEveryMs = minNullable(existing.remindEveryMs, route.remindEveryMs);
    }
    if (!route.continue) break;
  }
  if (matchedRoutes.length === 0) {
    for (const channel of table.defaultChannels) {
      targets.set(channel, { channel, route: 'defaultChannels', remindEveryMs: null });
    }
  }
  return { matchedRoutes, targets: [...targets.values()] };
}

export function matches(match: RouteMatchConfig, n: RoutableNotification): boolean {
  if (match.source && !anyGlob(match.source, n.source)) return false;
  if (match.sourceInstance && !anyGlob(match.sourceInstance, n.sourceInstance)) return false;
  if (match.severity && !(match.severity as string[]).includes(n.severity)) return false;
  if (match.status && !match.status.includes(n.status)) return false;
  if (match.host && (n.host === null || !anyGlob(match.host, n.host, true))) return false;
  if (match.tags && !match.tags.every((pattern) => n.tags.some((tag) => glob(pattern, tag)))) return false;
  if (match.metadata) {
    for (const [key, wanted] of Object.entries(match.metadata)) {
      const value = n.metadata[key];
      if (value === undefined) return false;
      if (!anyGlob(Array.isArray(wanted) ? wanted : [wanted], String(value))) return false;
    }
  }
  return true;
}

function anyGlob(patterns: string[], value: string, ignoreCase = false): boolean {
  return patterns.some((p) => glob(p, value, ignoreCase));
}

const cache = new Map<string, RegExp>();

/** `*` matches any run of characters; everything else is literal. */
export function glob(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    cache.set(key, re);
  }
  return re.test(value);
}

function minNullable(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
