import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { eventually, FakeChannel } from './support/fake-channel';
import { brokenText, SchemaArbitraries } from './support/schema-arbitrary';
import { call, operations, spec } from './support/spec-client';
import {
  API_KEY,
  defaultTestConfig,
  MONASCA_KEY,
  STACKSTATE_TOKEN,
  ALERTMANAGER_KEY,
  PAGERDUTY_ROUTING_KEY,
  startTestApp,
  TestApp,
  WRITE_API_KEY,
} from './support/test-app';
import { TEST_DB } from './support/test-database';
import { FAST_DELIVERY } from './support/delivery-config';

// Property-based fuzzing of every ingress and write endpoint (every operation of the spec that is not
// a GET), with bodies generated from its request schema and mutated (test/support/schema-arbitrary.ts).
// The properties: no answer is a 5xx, every answer is one the spec documents (status and body), every
// accepted alert is stored exactly once (its events and duplicate count against the answers), and the
// service is healthy afterwards. 2,500 bodies on each database, 5,000 per `npm test`; FUZZ_BODIES sets
// the count, FUZZ_SEED replays a run.
const BODIES = Number(process.env.FUZZ_BODIES ?? 2500);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const IN_FLIGHT = 8;
const CHANNELS = ['hook', 'mail-like'];

type Json = Record<string, any>;

// Credentials per security scheme of the spec; an operation whose scheme is not here is fuzzed
// without (and answers 401, which is no 5xx either): add its credentials when it lands.
const CREDENTIALS: Record<string, Record<string, string>> = {
  stackStateToken: { 'X-StackState-Webhook-Token': STACKSTATE_TOKEN },
  apiKey: { Authorization: `Bearer ${WRITE_API_KEY}` },
  alertmanagerBearer: { Authorization: `Bearer ${ALERTMANAGER_KEY}` },
};

// How often each operation is picked; operations not named get the default.
const WEIGHTS: Record<string, number> = {
  receiveStackStateEvent: 30,
  receiveMonascaAlarm: 25,
  receiveAlertmanagerAlerts: 20,
  enqueuePagerDutyEvent: 20,
  testRoutes: 6,
  acknowledgeNotification: 5,
  unacknowledgeNotification: 3,
  closeNotification: 4,
  putExternalRef: 4,
  retryDelivery: 2,
  testChannel: 1,
  enableChannel: 1,
};
const DEFAULT_WEIGHT = 8;

interface Case {
  operationId: string;
  params: Record<string, ParamChoice>;
  /** A value sent as JSON, or raw text. */
  body: { json: unknown } | { text: string } | undefined;
  wrongCredentials: boolean;
}

type ParamChoice = { kind: 'known' | 'random' | 'garbage'; n: number; text: string };

const arbitraries = new SchemaArbitraries(spec);
const writeOperations = Object.entries(operations).filter(([, op]) => op.method !== 'GET');

function paramArbitrary(): fc.Arbitrary<ParamChoice> {
  return fc.record({
    kind: fc.constantFrom<ParamChoice['kind']>(
      'known',
      'known',
      'known',
      'known',
      'known',
      'known',
      'random',
      'garbage',
    ),
    n: fc.nat(),
    text: fc
      .oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
        fc.uuid(),
        fc.constantFrom('%00', '/', ' ', '%'),
      )
      .filter((t) => !/^\.*$/.test(t)),
  });
}

function caseArbitrary(operationId: string, op: Json): fc.Arbitrary<Case> {
  const params: Record<string, fc.Arbitrary<ParamChoice>> = {};
  for (const p of (op.parameters ?? []) as Json[]) if (p.in === 'path') params[p.name] = paramArbitrary();
  const schema = op.requestBody?.content?.['application/json']?.schema as Json | undefined;
  const body: fc.Arbitrary<Case['body']> = schema
    ? fc.oneof(
        { arbitrary: arbitraries.body(schema).map((json) => ({ json })), weight: 12 },
        {
          arbitrary: arbitraries
            .valid(schema)
            .chain((v) => brokenText(JSON.stringify(v) ?? 'null'))
            .map((text) => ({ text })),
          weight: 1,
        },
      )
    : fc.constant(undefined);
  return fc.record({
    operationId: fc.constant(operationId),
    params: fc.record(params),
    body,
    wrongCredentials: fc
      .boolean()
      .chain((b) => (b ? fc.boolean() : fc.constant(false)))
      .chain((b) => (b ? fc.boolean() : fc.constant(false))),
  });
}

describe(`Fuzz: every ingress and write endpoint, ${BODIES} bodies from the OpenAPI schemas (${TEST_DB})`, () => {
  const sink = new FakeChannel();
  let app: TestApp;
  before(async () => {
    await sink.start();
    app = await startTestApp({
      config: {
        ...defaultTestConfig(),
        http: { bodyLimitBytes: 512 * 1024 },
        // Wrong credentials are part of the mix; the limiter is tested on its own (auth-failures.e2e.ts).
        authFailures: { burst: 100_000, perSecond: 1000 },
        channels: {
          hook: { type: 'webhook', url: `${sink.url}/hook`, batchSize: 20 },
          'mail-like': { type: 'webhook', url: `${sink.url}/smtp`, format: 'smtp-http-proxy' },
        },
        defaultChannels: CHANNELS,
        delivery: FAST_DELIVERY,
      },
    });
  });
  after(async () => {
    await app?.close();
    await sink.close();
  });

  it('answers every body below 500 and as documented, stores each accepted alert exactly once, and stays healthy', async () => {
    const cases = fc.sample(
      fc.oneof(
        ...writeOperations.map(([id, op]) => ({
          arbitrary: caseArbitrary(id, op.operation),
          weight: WEIGHTS[id] ?? DEFAULT_WEIGHT,
        })),
      ),
      { numRuns: BODIES, seed: SEED },
    );
    const knownIds: string[] = [];
    const knownDeliveries: string[] = [];
    const problems: string[] = [];
    const statuses = new Map<string, number>();
    // What the answers say was stored, per notification: lifecycle revisions and duplicates.
    const expected = new Map<string, { revisions: number[]; duplicates: number; bodies: Map<number, unknown> }>();
    const expect = (id: string) => {
      let e = expected.get(id);
      if (!e) expected.set(id, (e = { revisions: [], duplicates: 0, bodies: new Map() }));
      return e;
    };

    const resolveParam = (name: string, choice: ParamChoice): string => {
      if (choice.kind === 'garbage') return choice.text;
      if (name === 'key') return choice.kind === 'known' ? MONASCA_KEY : choice.text;
      if (name === 'name') return choice.kind === 'known' ? CHANNELS[choice.n % CHANNELS.length] : choice.text;
      if (name === 'system') return choice.kind === 'known' ? `sys-${choice.n % 5}` : choice.text;
      const pool = name === 'id' && knownDeliveries.length > 0 && choice.n % 4 === 0 ? knownDeliveries : knownIds;
      return choice.kind === 'known' && pool.length > 0
        ? pool[choice.n % pool.length]
        : choice.text.length === 36
          ? choice.text
          : crypto.randomUUID();
    };

    const run = async (c: Case) => {
      const op = operations[c.operationId].operation;
      const headers: Record<string, string> = {};
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const scheme of Object.keys(requirement)) Object.assign(headers, CREDENTIALS[scheme] ?? {});
      }
      if (c.wrongCredentials) for (const k of Object.keys(headers)) headers[k] = `${headers[k]}-wrong`;
      const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, resolveParam(k, v)]));
      // PagerDuty's routing key travels in the body: the right one, unless this case is about wrong ones.
      if (c.operationId === 'enqueuePagerDutyEvent' && c.body && 'json' in c.body && isObject(c.body.json)) {
        c.body.json.routing_key = c.wrongCredentials ? 'wrong0routing0key0000000000000000' : PAGERDUTY_ROUTING_KEY;
      }
      const body = c.body === undefined ? undefined : 'json' in c.body ? JSON.stringify(c.body.json) : c.body.text;
      let answer;
      try {
        answer = await call(app.url, c.operationId, {
          params,
          headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body,
        });
      } catch (error) {
        problems.push(
          `${c.operationId}: ${(error as Error).message.slice(0, 300)} (body ${String(body).slice(0, 200)})`,
        );
        return;
      }
      statuses.set(`${c.operationId} ${answer.status}`, (statuses.get(`${c.operationId} ${answer.status}`) ?? 0) + 1);
      if (answer.status >= 500) {
        problems.push(
          `${c.operationId} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)} to ${String(body).slice(0, 300)}`,
        );
        return;
      }
      if (answer.status >= 300) return;
      const results: Json[] = Array.isArray(answer.body?.results) ? answer.body.results : [answer.body];
      for (const r of results) {
        if (typeof r?.notificationId === 'string' && typeof r.result === 'string') {
          knownIds.push(r.notificationId);
          const e = expect(r.notificationId);
          if (r.result === 'duplicate') e.duplicates++;
          else if (['opened', 'updated', 'closed', 'recorded'].includes(r.result)) {
            e.revisions.push(r.revision);
            if (results.length === 1 && c.body && 'json' in c.body) e.bodies.set(r.revision, c.body.json);
          }
        }
      }
      if (c.operationId === 'closeNotification') expect(answer.body.id).revisions.push(answer.body.revision);
    };

    const started = Date.now();
    let next = 0;
    const refreshDeliveries = async () => {
      const page = await call(app.url, 'listDeliveries', {
        query: { limit: 200 },
        headers: { Authorization: `Bearer ${API_KEY}` },
      });
      knownDeliveries.splice(0, knownDeliveries.length, ...page.body.items.map((d: { id: string }) => d.id));
    };
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < cases.length) {
          const i = next++;
          if (i % 500 === 250) await refreshDeliveries();
          await run(cases[i]);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(problems.slice(0, 10), [], `seed ${SEED}: ${problems.length} problems`);

    // Every operation was exercised, most of them past validation too.
    for (const [id] of writeOperations) {
      assert.ok(
        [...statuses.keys()].some((k) => k.startsWith(`${id} `)),
        `${id} was never called (seed ${SEED})`,
      );
    }
    const accepted = [...statuses].filter(([k]) => / 2\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.ok(accepted > BODIES / 5, `only ${accepted} of ${BODIES} accepted: ${JSON.stringify([...statuses])}`);

    // Exactly once: the events of every notification an answer named, against those answers.
    const read = { Authorization: `Bearer ${API_KEY}` };
    const events: Json[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await call(app.url, 'listEvents', { query: { after, limit: 500 }, headers: read });
      events.push(...page.body.items);
      if (page.body.items.length === 0) break;
      after = page.body.nextCursor;
    }
    const lifecycle = new Map<string, Json[]>();
    for (const e of events) {
      if (!['opened', 'updated', 'closed'].includes(e.type)) continue;
      lifecycle.set(e.notificationId, [...(lifecycle.get(e.notificationId) ?? []), e]);
    }
    const notifications = new Map<string, Json>();
    let cursor: string | undefined;
    do {
      const page = await call(app.url, 'listNotifications', { query: { limit: 200, cursor }, headers: read });
      for (const n of page.body.items) notifications.set(n.id, n);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    const wrong: string[] = [];
    for (const [id, e] of expected) {
      const stored = lifecycle.get(id) ?? [];
      const revisions = stored.map((x) => x.revision).sort((a, b) => a - b);
      if (
        !isDeepStrictEqual(
          revisions,
          [...e.revisions].sort((a, b) => a - b),
        )
      ) {
        wrong.push(`${id}: answered revisions ${JSON.stringify(e.revisions)}, stored ${JSON.stringify(revisions)}`);
      }
      if ((notifications.get(id)?.duplicateCount ?? -1) !== e.duplicates) {
        wrong.push(
          `${id}: ${e.duplicates} duplicates answered, duplicateCount ${notifications.get(id)?.duplicateCount}`,
        );
      }
      for (const [revision, body] of e.bodies) {
        const event = stored.find((x) => x.revision === revision);
        // As sent, keys such as __proto__, constructor and prototype included (BodyKeepingValidationPipe).
        const sent = JSON.parse(JSON.stringify(body)) as unknown;
        if (event && !isDeepStrictEqual(event.payload, sent)) {
          wrong.push(
            `${id}#${revision}: the stored payload differs from the body sent at ${firstDifference(event.payload, sent)}`,
          );
        }
      }
    }
    assert.deepEqual(
      wrong.slice(0, 10),
      [],
      `seed ${SEED}: ${wrong.length} notifications stored otherwise than answered`,
    );
    assert.ok(expected.size > 100, `only ${expected.size} notifications`);

    // Healthy afterwards: alive at once (nothing left blocking the event loop), ready, and still delivering.
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      assert.equal((await call(app.url, 'getHealth')).status, 200);
      assert.ok(Date.now() - t < 1000, `/healthz took ${Date.now() - t} ms`);
    }
    assert.equal((await call(app.url, 'getReadiness')).status, 200);
    await eventually(() => Promise.resolve(sink.requests.length > 0 ? true : undefined), 10_000, 'a delivery');
    process.stdout.write(
      `# fuzz (${TEST_DB}, seed ${SEED}): ${BODIES} bodies in ${seconds.toFixed(1)} s, ${accepted} accepted, ` +
        `${expected.size} notifications checked\n`,
    );
  });
});

/** Where two JSON values first differ, for the failure message. */
function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
  }
  return `${path}: prototypes differ`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
