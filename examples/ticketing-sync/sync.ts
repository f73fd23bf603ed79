// A ticketing integration in one file: follows Alert Relay's change feed with the TypeScript SDK, opens a
// ticket for every opened notification, links it back (external-refs), and closes it when the
// notification closes. The "ticket system" is a JSON file, so it runs anywhere; swap `TicketStore` for
// your Jira/ServiceNow/Zammad client.
//
//   ALERT_RELAY_URL=http://127.0.0.1:8080 ALERT_RELAY_API_KEY=... TICKETS_FILE=tickets.json \
//   STATE_FILE=sync-state.json node dist/examples/ticketing-sync/sync.js
//
// The API key needs the `read` and `write` scopes. In your own project, import from '@alert-relay/client'.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { AlertRelayClient, createAlertRelayClient, FeedEvent, followEvents } from '../../clients/typescript/src';

export interface Ticket {
  key: string;
  notificationId: string;
  title: string;
  severity: string;
  status: 'open' | 'closed';
  resolution: string | null;
}

/** The stand-in ticket system: tickets in a JSON file, written atomically. */
export class TicketStore {
  constructor(private readonly file: string) {}

  all(): Ticket[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Ticket[]) : [];
  }

  findByNotification(notificationId: string): Ticket | undefined {
    return this.all().find((t) => t.notificationId === notificationId);
  }

  create(ticket: Omit<Ticket, 'key'>): Ticket {
    const tickets = this.all();
    const created = { key: `OPS-${tickets.length + 1}`, ...ticket };
    this.save([...tickets, created]);
    return created;
  }

  close(key: string, resolution: string): void {
    this.save(this.all().map((t) => (t.key === key ? { ...t, status: 'closed' as const, resolution } : t)));
  }

  private save(tickets: Ticket[]): void {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(tickets, null, 2));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

export interface SyncOptions {
  baseUrl: string;
  apiKey: string;
  ticketsFile: string;
  /** Where the feed cursor is kept between runs. */
  stateFile: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Follows the feed until `signal` aborts. Safe to stop and start again at any point. */
export async function runTicketingSync(options: SyncOptions): Promise<void> {
  const client = createAlertRelayClient({ baseUrl: options.baseUrl, apiKey: options.apiKey });
  const tickets = new TicketStore(options.ticketsFile);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const after = existsSync(options.stateFile)
    ? (JSON.parse(readFileSync(options.stateFile, 'utf8')) as { cursor?: string }).cursor
    : undefined;
  for await (const event of followEvents(client, { after, waitSeconds: 25, signal: options.signal })) {
    await handle(client, tickets, event, log);
    // After the event is handled: a restart resumes right after it. A crash between the two handles the
    // event again, which `handle` tolerates (it looks the ticket up first).
    writeFileSync(options.stateFile, JSON.stringify({ cursor: event.cursor }));
  }
}

async function handle(
  client: AlertRelayClient,
  tickets: TicketStore,
  event: FeedEvent,
  log: (line: string) => void,
): Promise<void> {
  if (event.type === 'opened') {
    const { data: notification, error } = await client.GET('/api/v1/notifications/{id}', {
      params: { path: { id: event.notificationId } },
    });
    if (!notification) throw new Error(`cannot read notification ${event.notificationId}: ${error?.message}`);
    const ticket =
      tickets.findByNotification(notification.id) ??
      tickets.create({
        notificationId: notification.id,
        title: `[${notification.severity}] ${notification.title}`,
        severity: notification.severity,
        status: 'open',
        resolution: null,
      });
    // Idempotent: linking the same ticket again changes nothing.
    const linked = await client.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
      params: { path: { id: notification.id, system: 'example-tickets' } },
      body: { id: ticket.key, url: `https://tickets.example.invalid/browse/${ticket.key}` },
    });
    if (!linked.data) throw new Error(`cannot link ${ticket.key}: ${linked.error?.message}`);
    log(`opened ${ticket.key} for notification ${notification.id}`);
  } else if (event.type === 'closed') {
    const ticket = tickets.findByNotification(event.notificationId);
    if (!ticket || ticket.status === 'closed') return;
    const { data: notification } = await client.GET('/api/v1/notifications/{id}', {
      params: { path: { id: event.notificationId } },
    });
    tickets.close(ticket.key, notification?.closeReason ?? 'closed');
    log(`closed ${ticket.key}: ${notification?.closeReason ?? 'closed'}`);
  }
}

if (require.main === module) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  const controller = new AbortController();
  process.on('SIGTERM', () => controller.abort());
  process.on('SIGINT', () => controller.abort());
  runTicketingSync({
    baseUrl: env('ALERT_RELAY_URL'),
    apiKey: env('ALERT_RELAY_API_KEY'),
    ticketsFile: process.env.TICKETS_FILE ?? 'tickets.json',
    stateFile: process.env.STATE_FILE ?? 'sync-state.json',
    signal: controller.signal,
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
