import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../common/project-root';

export const OPENAPI_PATH = join(projectRoot(), 'openapi', 'openapi.yaml');

/** The spec in openapi/, parsed; the source of truth for routes, types and clients. */
export function loadOpenApiDocument(): Record<string, unknown> {
  return parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}
