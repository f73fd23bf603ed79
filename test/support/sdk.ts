import { AlertRelayClient, createAlertRelayClient } from '../../clients/typescript/src';
import { assertMatchesSpec, operations } from './spec-client';
import { API_KEY } from './test-app';

// Each spec path as a regular expression, to tell which operation a request of the SDK is.
const routes = Object.entries(operations).map(([operationId, op]) => ({
  operationId,
  method: op.method,
  pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/**
 * The SDK (clients/typescript) as the tests use it: every response it receives is also checked against
 * the spec (documented status, body matching the schema).
 */
export function sdk(baseUrl: string, apiKey = API_KEY): AlertRelayClient {
  return createAlertRelayClient({
    baseUrl,
    apiKey,
    fetch: async (request: Request) => {
      const response = await fetch(request);
      const path = new URL(request.url).pathname;
      const route = routes.find((r) => r.method === request.method && r.pattern.test(path));
      if (!route) throw new Error(`the SDK called ${request.method} ${path}, which is not in the spec`);
      const text = await response.clone().text();
      const json =
        text.length > 0 && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
      assertMatchesSpec(route.operationId, response.status, json);
      return response;
    },
  });
}
