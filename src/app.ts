import 'reflect-metadata';
import { hash } from 'node:crypto';
import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json, NextFunction, Request, Response, static as serveStatic } from 'express';
import type { IngressRequest } from './common/request-context';
import { AppModule } from './app.module';
import { ApiError } from './common/api-error';
import { Clock } from './common/clock';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './common/json-depth';
import { PrototypedExpressAdapter } from './common/express-adapter';
import { createLogging } from './common/logger';
import { AppConfig } from './config/config.loader';
import { describePostgresUrl, DatabaseTarget } from './database/database-target';
import { SmtpServerService } from './ingress/smtp/smtp-server.service';
import { takesBodyDigest } from './ingress/common/repeat-shortcut';
import { API_REFERENCE_ASSETS_PATH, SWAGGER_UI_DIR } from './ops/api-reference';
import { EMBEDDED_MAX_CONNECTIONS, EmbeddedPostgres, startEmbeddedPostgres } from './database/embedded-postgres';

export interface RunningApp {
  app: INestApplication;
  /** Base URL of the HTTP listener, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Port of the SMTP listener (SMTP_PORT; 0 picks one), or null when ingress.smtp is disabled. */
  smtpPort: number | null;
  database: DatabaseTarget;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The time silences and maintenance windows are judged by (tests move a manual clock on). */
  clock?: Clock;
}

/** Starts the whole service: the database (embedded unless DATABASE_URL is set), migrations, HTTP. */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  let embedded: EmbeddedPostgres | undefined;
  let database: DatabaseTarget;
  if (config.env.databaseUrl) {
    database = {
      url: config.env.databaseUrl,
      kind: 'postgres',
      description: describePostgresUrl(config.env.databaseUrl),
      poolSize: config.env.databasePoolSize,
      statementTimeoutMs: config.env.databaseStatementTimeoutMs,
    };
  } else {
    embedded = await startEmbeddedPostgres(config.env.dataDir);
    database = {
      url: embedded.url,
      kind: 'embedded',
      description: `embedded PostgreSQL (PGlite) in ${embedded.dataPath}`,
      poolSize: EMBEDDED_MAX_CONNECTIONS - 4,
      statementTimeoutMs: config.env.databaseStatementTimeoutMs,
    };
  }
  let app: NestExpressApplication | undefined;
  const logging = createLogging(config.env.logLevel);
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config, database, options.clock),
      new PrototypedExpressAdapter(),
      { bodyParser: false, logger: logging.logger },
    );
    app.set('x-powered-by', false);
    // The API's ETags are its own (a notification's version, api/etag.interceptor.ts, in the spec); no
    // undocumented weak ETag hashed from every other answer's body (every webhook's included).
    app.set('etag', false);
    // Whose address the authentication failure limit counts: the peer, or the client a trusted proxy names.
    app.set('trust proxy', config.http.trustProxy.length > 0 ? config.http.trustProxy : false);
    // First, so that every answer, the body parser's errors included, has a request id and a log line.
    app.use(logging.middleware);
    // The /docs page's script and stylesheet: files, not API operations, so not in the spec.
    app.use(API_REFERENCE_ASSETS_PATH, serveStatic(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
    app.use(
      requireJsonBody,
      json({
        limit: config.http.bodyLimitBytes,
        type: ['application/json', 'application/*+json'],
        verify: refuseDeepJson,
      }),
    );
    await app.listen(config.env.port, config.env.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const host = config.env.host === '0.0.0.0' || config.env.host === '::' ? '127.0.0.1' : config.env.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  new NestLogger('AlertRelay').log(
    `listening on ${config.env.host}:${address.port}; database: ${database.description}; config: ${config.env.configPath}`,
  );
  const running = app;
  return {
    app: running,
    url,
    smtpPort: app.get(SmtpServerService, { strict: false }).port,
    database,
    async close() {
      await running.close();
      await embedded?.stop();
    },
  };
}

// A body that is not JSON would reach validation as "nothing"; say what is wrong instead.
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  const type = req.headers['content-type'] ?? '';
  if (hasBody && !/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    next(
      new ApiError(
        'unsupported_media_type',
        `Send the body as JSON with Content-Type: application/json (got "${type.slice(0, 100)}")`,
      ),
    );
    return;
  }
  next();
}

// Before parsing: the body parser passes the error on with its `status` and `type` (the exception
// filter words it), and a body nested thousands deep never reaches the validation that recurses.
function refuseDeepJson(req: IngressRequest, _res: unknown, body: Buffer): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
  // A webhook's repeat is known by its bytes (RepeatShortcut). Their digest, not the bytes: a request
  // holding on to its body's buffer cost 3% of the ingest's CPU (bench:ab), the digest 1.4 µs.
  if (takesBodyDigest(req.url)) req.bodyDigest = hash('sha256', body, 'base64');
}
