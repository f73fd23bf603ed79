import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { loadOpenApiDocument } from '../../src/ops/openapi-document';

type Json = Record<string, any>;

export const spec = loadOpenApiDocument() as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int64', true);
ajv.addSchema({ ...spec, $id: 'openapi' });

interface Operation {
  method: string;
  path: string;
  operation: Json;
}

export const operations: Record<string, Operation> = {};
for (const [path, item] of Object.entries(spec.paths as Json)) {
  for (const [method, operation] of Object.entries(item as Json)) {
    operations[(operation as Json).operationId] = { method: method.toUpperCase(), path, operation: operation as Json };
  }
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * Calls the running service by the spec's operationId and asserts that the status is documented for
 * that operation and that the JSON body matches the documented schema.
 */
export async function call<T = any>(
  baseUrl: string,
  operationId: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const op = operations[operationId];
  assert.ok(op, `no operation ${operationId} in the spec`);
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: op.method, headers, body });
  const text = await response.text();
  const json =
    text.length > 0 && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  assertMatchesSpec(operationId, response.status, json);
  return { status: response.status, headers: response.headers, body: json as T };
}

export function assertMatchesSpec(operationId: string, status: number, body: unknown): void {
  const op = operations[operationId];
  let response = op.operation.responses?.[String(status)];
  assert.ok(response, `${operationId} answered ${status}, which the spec does not document: ${JSON.stringify(body)}`);
  if (response.$ref) response = resolve(response.$ref);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return;
  const validate = schema.$ref ? ajv.getSchema(`openapi${schema.$ref}`) : ajv.compile(schema);
  assert.ok(validate, `cannot compile the response schema of ${operationId} ${status}`);
  const valid = validate(body);
  assert.ok(
    valid,
    `${operationId} ${status} body does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
  );
}

function resolve(ref: string): Json {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Json, key) => node[key], spec);
}

/** Asserts that a value matches one of the spec's component schemas (e.g. a documented payload shape). */
export function assertMatchesSchema(schemaName: string, value: unknown): void {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`);
  assert.ok(validate, `no schema ${schemaName} in the spec`);
  assert.ok(
    validate(value),
    `value does not match ${schemaName}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`,
  );
}
