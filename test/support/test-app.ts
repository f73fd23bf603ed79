import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RunningApp, startApp } from '../../src/app';
import { CHANNEL_TYPES } from '../../src/channels/channel-types';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config.loader';
import { createTestDatabase, TestDatabase } from './test-database';

export const STACKSTATE_TOKEN = 'test-stackstate-token';
export const MONASCA_KEY = 'test-monasca-key-0123456789';
export const ALERTMANAGER_KEY = 'test-alertmanager-key-0123456789';
export const PAGERDUTY_ROUTING_KEY = 'test0pagerduty0routing0key012345';
export const API_KEY = 'test-api-key-0123456789abcdef';
export const WRITE_API_KEY = 'test-write-api-key-0123456789abcdef';

export function defaultTestConfig(): Record<string, unknown> {
  return {
    http: { bodyLimitBytes: 64 * 1024 },
    ingress: {
      stackstate: { tokens: [{ name: 'prod', token: STACKSTATE_TOKEN }] },
      monasca: { keys: [{ name: 'openstack', key: MONASCA_KEY, alarmSeverity: 'critical' }] },
      alertmanager: { keys: [{ name: 'prom', key: ALERTMANAGER_KEY }] },
      pagerduty: { routingKeys: [{ name: 'grafana', key: PAGERDUTY_ROUTING_KEY }] },
    },
    api: {
      keys: [
        { name: 'ticketing', key: API_KEY, scopes: ['read'] },
        { name: 'ticket-sync', key: WRITE_API_KEY, scopes: ['read', 'write'] },
      ],
    },
  };
}

export interface TestApp extends RunningApp {
  dir: string;
}

export interface TestAppOptions {
  config?: Record<string, unknown>;
  /** Use this DATABASE_URL instead of a fresh database of the run's kind. */
  databaseUrl?: string;
  /** The clock of silences and maintenance windows (a ManualClock moves time on without sleeping). */
  clock?: Clock;
  /** More environment (DATABASE_STATEMENT_TIMEOUT_MS, …). */
  env?: Record<string, string>;
  /** Keep config and embedded data in this directory (kept on close), so a restart finds them. */
  dir?: string;
}

/** The real service on a random loopback port, on a fresh database, with a config written to a temp dir. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'alert-relay-test-'));
  const configPath = join(dir, 'alert-relay.yaml');
  writeFileSync(configPath, stringify(options.config ?? defaultTestConfig()));
  let database: TestDatabase | undefined;
  const databaseUrl = options.databaseUrl ?? (database = await createTestDatabase()).url;
  const config = loadConfig(CHANNEL_TYPES, {
    PORT: '0',
    SMTP_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: join(dir, 'data'),
    ALERT_RELAY_CONFIG: configPath,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const running = await startApp(config, { clock: options.clock });
  return {
    ...running,
    dir,
    async close() {
      await running.close();
      await database?.drop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
