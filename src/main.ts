import cluster from 'node:cluster';
import { startApp } from './app';
import { CHANNEL_TYPES } from './channels/channel-types';
import { ConfigError, loadConfig } from './config/config.loader';
import { errorText } from './common/errors';
import { runWorkers } from './cluster';
import { steadyHeap } from './common/heap';

async function main(): Promise<void> {
  steadyHeap();
  let config;
  try {
    // The config layer knows no channel type of its own: it checks `channels:` against these.
    config = loadConfig(CHANNEL_TYPES);
  } catch (error) {
    if (error instanceof ConfigError) {
      // One clear line per problem, no stack trace: this is the operator's file, not our bug.
      process.stderr.write(`alert-relay: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  if (config.env.workers > 1 && cluster.isPrimary) return runWorkers(config);
  const running = await startApp(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`alert-relay: ${signal} received, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`alert-relay: error while shutting down: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`alert-relay: failed to start: ${errorText(error)}\n`);
  process.exit(1);
});
