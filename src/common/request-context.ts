import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RequestRef } from './http-logger';

/** Set by an ingress guard: the name of the configured token/key that authenticated the request. */
export interface AuthenticatedRequest extends Request {
  sourceInstance?: string;
  apiKeyName?: string;
}

/** The body's key for the repeat ledger (`RepeatShortcut`): remembered if its message comes out a duplicate. */
export interface RepeatBodyRef {
  repeatBody?: string;
}

/** A webhook request: a digest of its body's bytes (taken by the JSON parser) and its key among repeats. */
export interface IngressRequest extends AuthenticatedRequest, RepeatBodyRef {
  bodyDigest?: string;
  /** Set when the request is a repeat answered from its body alone (`RepeatShortcut`): the handler's answer. */
  repeatAnswer?: unknown;
}

const answeredBodies = new WeakSet<object>();

/** The body of a request answered as a repeat before validation: the validation pipe passes it on unread. */
export function markAnsweredBody(body: object): void {
  answeredBodies.add(body);
}

export function isAnsweredBody(value: unknown): boolean {
  return value !== null && typeof value === 'object' && answeredBodies.has(value);
}

/** The request, for the log lines about its work (`logLine` names it by its id, method and redacted URL). */
export const LogRef = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestRef =>
  ctx.switchToHttp().getRequest<Request>(),
);

/** The name of the token/key that a guard matched. */
export const SourceInstance = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const name = ctx.switchToHttp().getRequest<AuthenticatedRequest>().sourceInstance;
  if (!name) throw new Error('SourceInstance used on a route without an ingress guard');
  return name;
});

/** The JSON body exactly as parsed, before validation strips or converts anything: kept in the event. */
export const RawBody = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<Request>().body,
);

/** The name of the API key that ApiKeyGuard matched. */
export const ApiKeyName = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const name = ctx.switchToHttp().getRequest<AuthenticatedRequest>().apiKeyName;
  if (!name) throw new Error('ApiKeyName used on a route without ApiKeyGuard');
  return name;
});

/** Aborts when the client goes away (or the response is over): ends work nobody waits for any more. */
export const ClientGone = createParamDecorator((_data: unknown, ctx: ExecutionContext): AbortSignal => {
  const controller = new AbortController();
  ctx
    .switchToHttp()
    .getResponse<Response>()
    .on('close', () => controller.abort());
  return controller.signal;
});
