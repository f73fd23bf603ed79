import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SMTPServer, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { isDatabaseUnavailable } from '../../common/database-errors';
import { SecretMatcher } from '../../common/secrets';
import { AuthFailureLimiter } from '../../common/auth-failures';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';
import { SmtpIngressConfig } from '../../config/smtp.config';
import { cidrMatcher } from '../../common/cidr';
import { SmtpEnvelope } from './received-mail';
import { SmtpIngressService } from './smtp-ingress.service';

type SmtpCallback = (error?: Error | null) => void;

// How long an AUTH from a blocked client waits for its 454 (at most until it is unblocked).
const AUTH_BLOCKED_DELAY_MS = 2000;

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/**
 * Owns the SMTP listener: started with the app, closed before the database goes away. A mail gets its
 * `250` only after the change it causes is committed: HAProxy never retries (docs/sources.md, "HAProxy
 * mail"; docs/smtp.md, "Durability").
 */
@Injectable()
export class SmtpServerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SmtpServer');
  private readonly smtp: SmtpIngressConfig;
  private server: SMTPServer | null = null;
  private boundPort: number | null = null;
  /** Messages being received or committed: shutdown lets them finish. */
  private readonly receiving = new Set<Promise<void>>();

  constructor(
    private readonly ingress: SmtpIngressService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {
    this.smtp = config.ingress.smtp;
  }

  /** The bound port (SMTP_PORT=0 picks one), or null when SMTP is disabled. */
  get port(): number | null {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.smtp.enabled) {
      this.logger.log('SMTP ingress disabled (ingress.smtp.enabled: false)');
      return;
    }
    const server = new SMTPServer(this.options());
    // Connection errors are emitted on the server; unhandled, they would crash the process.
    server.on('error', (error: Error & { code?: string; remote?: string }) => {
      this.logger.warn(`SMTP connection error${error.remote ? ` from ${error.remote}` : ''}: ${error.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.env.smtpPort, this.config.env.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
    const features = [
      this.smtp.tls ? 'STARTTLS' : null,
      this.smtp.auth.users.length > 0 ? `AUTH ${this.smtp.auth.required ? 'required' : 'optional'}` : null,
    ].filter((f) => f !== null);
    this.logger.log(
      `SMTP accepting mail on ${this.config.env.host}:${this.boundPort}` +
        `${features.length ? ` (${features.join(', ')})` : ''}; allowed clients: ${this.smtp.allowedClients.join(', ')}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Messages in flight finish (their sender gets its answer); idle sessions get 421 at once.
    if (this.receiving.size > 0) {
      this.logger.log(
        `SMTP closing: waiting up to ${this.smtp.shutdownGraceMs} ms for ${this.receiving.size} message(s)`,
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.receiving]),
        new Promise((resolve) => (timer = setTimeout(resolve, this.smtp.shutdownGraceMs))),
      ]);
      clearTimeout(timer);
    }
    for (const connection of server.connections) {
      connection.send(421, 'Server shutting down, try again later');
      connection.close();
    }
    await closed;
    this.boundPort = null;
  }

  private options(): SMTPServerOptions {
    const smtp = this.smtp;
    const passwords = new SecretMatcher(smtp.auth.users, (u) => u.password);
    const isAllowed = cidrMatcher(smtp.allowedClients);
    const auth = smtp.auth.users.length > 0;
    return {
      name: smtp.hostname,
      banner: 'Alert Relay',
      // Advertised as SIZE; the data itself is checked in onData (smtp-server only counts it).
      size: smtp.maxMessageBytes,
      // No DNS on the alert path: reverse lookups delay the greeting up to 1.5 s.
      disableReverseLookup: true,
      // HAProxy's mailers cannot authenticate or encrypt; both are opt-in.
      disabledCommands: [...(auth ? [] : ['AUTH']), ...(smtp.tls ? [] : ['STARTTLS'])],
      authOptional: !smtp.auth.required,
      allowInsecureAuth: smtp.auth.allowInsecure,
      authMethods: ['PLAIN', 'LOGIN'],
      ...(smtp.tls ? this.tlsMaterial(smtp.tls.certFile, smtp.tls.keyFile) : {}),
      // Old alerting systems send odd but harmless sender addresses.
      lenientAddressParsing: true,
      maxClients: smtp.maxClients,
      socketTimeout: smtp.socketTimeoutMs,
      // Our own shutdown sends 421 first; this is smtp-server's backstop.
      closeTimeout: smtp.shutdownGraceMs + 1000,
      logger: false,
      onConnect: (session, callback) => this.onConnect(session, callback, isAllowed),
      onAuth: (authRequest, session, callback) => {
        const client = session.remoteAddress;
        const waitMs = this.failures.blockedForMs(client);
        if (waitMs > 0) {
          // Not checked, and answered late: a guesser gets one try per AUTH_BLOCKED_DELAY_MS at most.
          const seconds = Math.ceil(waitMs / 1000);
          setTimeout(
            () => callback(smtpError(454, `Too many failed authentication attempts; try again in ${seconds} s`)),
            Math.min(waitMs, AUTH_BLOCKED_DELAY_MS),
          ).unref();
          return;
        }
        const user = passwords.match(authRequest.password, (u) => u.username === authRequest.username);
        if (!user) {
          this.failures.failed(client);
          // Not the user name as sent: people paste passwords into that field.
          this.logger.warn(`SMTP AUTH ${authRequest.method} failed from ${client}`);
          callback(smtpError(535, 'Authentication credentials invalid'));
          return;
        }
        callback(null, { user: user.username });
      },
      onRcptTo: (_address, session, callback) => {
        if (session.envelope.rcptTo.length >= smtp.maxRecipients) {
          callback(smtpError(452, `Too many recipients: at most ${smtp.maxRecipients} per message`));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    };
  }

  private tlsMaterial(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
    const read = (key: string, path: string) => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new Error(
          `ingress.smtp.tls.${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        );
      }
    };
    return { cert: read('certFile', certFile), key: read('keyFile', keyFile) };
  }

  private onConnect(session: SMTPServerSession, callback: SmtpCallback, isAllowed: (ip: string) => boolean): void {
    if (isAllowed(session.remoteAddress)) {
      callback();
      return;
    }
    this.logger.warn(`SMTP connection from ${session.remoteAddress} refused: not in ingress.smtp.allowedClients`);
    callback(smtpError(554, `Access denied: ${session.remoteAddress} may not send mail here`));
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null, message?: string) => void,
  ): void {
    const done = new Promise<void>((settle) => {
      const chunks: Buffer[] = [];
      let finished = false;
      const reply = (error: Error | null, message?: string) => {
        if (finished) return;
        finished = true;
        callback(error, message);
        settle();
      };
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      let ended = false;
      // The client went away mid-message: nothing to store, nobody to answer.
      stream.on('error', (error: Error) => {
        this.logger.warn(`SMTP ${session.id} from ${session.remoteAddress}: message not received: ${error.message}`);
        reply(error);
      });
      stream.on('close', () => {
        if (!ended) reply(new Error('Connection closed before the message was received in full'));
      });
      stream.on('end', () => {
        ended = true;
        if (stream.sizeExceeded) {
          this.logger.warn(
            `SMTP ${session.id} from ${session.remoteAddress}: message of ${stream.byteLength} bytes refused ` +
              `(ingress.smtp.maxMessageBytes ${this.smtp.maxMessageBytes})`,
          );
          reply(smtpError(552, `Message too big: the limit is ${this.smtp.maxMessageBytes} bytes`));
          return;
        }
        this.ingress.receiveMail({ raw: Buffer.concat(chunks), envelope: envelopeOf(session) }).then(
          (result) => {
            this.logger.debug(
              `SMTP ${session.id} from ${session.remoteAddress} <${session.envelope.mailFrom ? session.envelope.mailFrom.address : ''}>: ` +
                `${stream.byteLength} bytes, ${result.result} notification ${result.notificationId ?? '-'}`,
            );
            reply(null, `OK: ${result.result} notification ${result.notificationId ?? '-'}`);
          },
          (error: unknown) => {
            // 451 is temporary: an MTA retries later (HAProxy never does, see docs/smtp.md).
            if (isDatabaseUnavailable(error)) {
              this.logger.warn(
                `SMTP ${session.id} from ${session.remoteAddress}: database unavailable, answered 451: ${String(error)}`,
              );
              reply(smtpError(451, 'Database unavailable, try again later'));
            } else {
              this.logger.error(
                `SMTP ${session.id} from ${session.remoteAddress}: could not store the message, answered 451`,
                error instanceof Error ? error.stack : String(error),
              );
              reply(smtpError(451, 'Local error while storing the message, try again later'));
            }
          },
        );
      });
    });
    this.receiving.add(done);
    void done.finally(() => this.receiving.delete(done));
  }
}

function envelopeOf(session: SMTPServerSession): SmtpEnvelope {
  const mailFrom = session.envelope.mailFrom;
  const user = session.user as unknown;
  return {
    sessionId: session.id,
    remoteAddress: session.remoteAddress,
    helo: session.hostNameAppearsAs,
    openingCommand: session.openingCommand,
    mailFrom: mailFrom ? mailFrom.address : null,
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    secure: session.secure,
    user: typeof user === 'string' ? user : null,
  };
}
