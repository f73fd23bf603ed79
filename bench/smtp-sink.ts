// Baseline for bench:smtp: an smtp-server with the service's settings that reads each message and answers
// 250 without parsing or storing it.
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const sink = new SMTPServer({
  disabledCommands: ['AUTH', 'STARTTLS'],
  authOptional: true,
  disableReverseLookup: true,
  size: 1024 * 1024,
  maxClients: 1000,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => callback(null, 'OK: discarded'));
  },
});
sink.on('error', () => undefined);
sink.listen(0, '127.0.0.1', () =>
  process.stdout.write(`listening on 127.0.0.1:${(sink.server.address() as AddressInfo).port}\n`),
);
process.on('SIGTERM', () => sink.close(() => process.exit(0)));
