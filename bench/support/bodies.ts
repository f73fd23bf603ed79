import { randomBytes } from 'node:crypto';
import { PAGERDUTY_EVENTS_PATH } from '../../src/ingress/pagerduty/pagerduty-errors';
import {
  alertmanagerPagerDutyEvent,
  alertmanagerWebhook,
  monascaAlarm,
  stackStateOpen,
} from '../../test/support/fixtures';
import { ALERTMANAGER_KEY, MONASCA_KEY, PAGERDUTY_ROUTING_KEY, STACKSTATE_TOKEN } from '../../test/support/test-app';

// What the benches send. A scenario is a JSON template with __ID__, __STATE__ and __TIME__ placeholders
// and a rule for filling them per request; bodies.lua (wrk) and BodyGenerator (autocannon, paced client)
// apply the same rule, so both load generators send the same sequence.

export type BodyMode = 'mix' | 'new' | 'repeat';

export interface Scenario {
  label: string;
  path: string;
  headers: Record<string, string>;
  mode: BodyMode;
  /** Distinct ids per load generator thread (mix), or in all (repeat). */
  ids: number;
  /** The two states a mix alternates between; a repeat sends the first. */
  states: [string, string];
  /** The source time of the first request and how much it grows per request (in the template's unit). */
  timeBase: () => number;
  timeStep: number;
  template: string;
  /** Set for a repeat: every run sends the same ids, so that after the first they are duplicates. */
  fixedPrefix?: string;
}

/** One run's parameters: a scenario with its id prefix and start time fixed. */
export interface BodyRun {
  scenario: Scenario;
  prefix: string;
  timeBase: number;
}

const TIME = 4_242_424_242_424;
const LAG = 256;
const JSON_HEADERS = { 'content-type': 'application/json' };

function template(body: unknown): string {
  return JSON.stringify(body).replace(String(TIME), '__TIME__');
}

/** `xxxxxxxx-xxxx`: with the thread and index, a UUID (version 4 layout) that IsUUID accepts. */
export function newPrefix(): string {
  return `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}`;
}

/** StackState opens and updates, about half each (the main figure). */
const stackstate: Scenario = {
  label: 'StackState opens + updates',
  path: '/webhooks/stackstate',
  headers: { ...JSON_HEADERS, 'x-stackstate-webhook-token': STACKSTATE_TOKEN },
  mode: 'mix',
  ids: 10_000,
  states: ['CRITICAL', 'DEVIATING'],
  timeBase: () => Date.now(),
  timeStep: 1,
  template: template(stackStateOpen({ notificationId: '__ID__', state: '__STATE__', triggeredTimeMs: TIME })),
};

/** Monasca ALARM then UNDETERMINED, ALARM, ...: opens and updates, about half each. */
const monasca: Scenario = {
  label: 'Monasca opens + updates',
  path: `/webhooks/monasca/${MONASCA_KEY}`,
  headers: JSON_HEADERS,
  mode: 'mix',
  ids: 10_000,
  states: ['ALARM', 'UNDETERMINED'],
  // alarm_timestamp is in seconds.
  timeBase: () => Math.floor(Date.now() / 1000),
  timeStep: 1,
  template: template(monascaAlarm({ alarm_id: '__ID__', state: '__STATE__', alarm_timestamp: TIME })),
};

export const scenarios = {
  stackstate,
  /** StackState opens only, each a new notification: one delivery per message (bench:delivery). */
  stackstateOpens: { ...stackstate, label: 'StackState opens', mode: 'new', states: ['CRITICAL', 'CRITICAL'] },
  monasca,
  /** The same ALARM for each of 1,000 alarm_ids again and again: Monasca's periodic repeat, a retry. */
  repeat: {
    ...monasca,
    label: 'Monasca repeats (duplicates)',
    mode: 'repeat',
    ids: 1000,
    states: ['ALARM', 'ALARM'],
    timeBase: () => 1_700_000_000,
    timeStep: 0,
    fixedPrefix: newPrefix(),
  },
  /** The service's Alertmanager webhook (version 4), one firing alert per request, each a new fingerprint. */
  alertmanagerWebhook: {
    label: 'Alertmanager webhook opens',
    path: '/webhooks/alertmanager',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${ALERTMANAGER_KEY}` },
    mode: 'new',
    ids: 10_000,
    states: ['firing', 'firing'],
    timeBase: () => 0,
    timeStep: 0,
    template: template(alertmanagerWebhook('firing', { fingerprint: '__ID__' })),
  },
  /** PagerDuty Events v2 (Alertmanager's pagerduty_configs): trigger, resolve, trigger, ... per dedup_key. */
  pagerduty: {
    label: 'PagerDuty v2 triggers + resolves',
    path: PAGERDUTY_EVENTS_PATH,
    headers: JSON_HEADERS,
    mode: 'mix',
    ids: 10_000,
    states: ['trigger', 'resolve'],
    timeBase: () => 0,
    timeStep: 0,
    template: template({
      ...alertmanagerPagerDutyEvent(PAGERDUTY_ROUTING_KEY, 'trigger'),
      dedup_key: '__ID__',
      event_action: '__STATE__',
    }),
  },
  /** Alertmanager's own API (v2), one alert per request, in the StackState mix's id pattern. */
  alertmanager: {
    label: 'Alertmanager alerts',
    path: '/api/v2/alerts',
    headers: JSON_HEADERS,
    mode: 'mix',
    ids: 10_000,
    states: ['critical', 'warning'],
    timeBase: () => 0,
    timeStep: 0,
    template: JSON.stringify([
      {
        labels: { alertname: 'HttpResponseTime', instance: '__ID__', severity: '__STATE__', job: 'catalogue' },
        annotations: {
          summary: 'HTTP - response time - is above 3.0 seconds',
          description: 'catalogue in sock-shop on k8s-demo-cluster answers slower than 3 seconds',
        },
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=http_response_time_seconds%3E3',
      },
    ]),
  },
} satisfies Record<string, Scenario>;

export function bodyRun(scenario: Scenario): BodyRun {
  return { scenario, prefix: scenario.fixedPrefix ?? newPrefix(), timeBase: scenario.timeBase() };
}

export function idFor(prefix: string, thread: number, index: number): string {
  return `${prefix}-4${thread.toString(16).padStart(3, '0')}-8000-${index.toString(16).padStart(12, '0')}`;
}

/** The same sequence as bodies.lua for one thread of one run (see the modes there). */
export class BodyGenerator {
  private n = 0;
  private readonly states = new Map<number, string>();

  constructor(
    private readonly run: BodyRun,
    private readonly thread = 0,
    private readonly threads = 1,
  ) {}

  next(): { id: string; body: string } {
    const { scenario, prefix, timeBase } = this.run;
    const i = this.n++;
    const [a, b] = scenario.states;
    let index = i;
    let state = a;
    let thread = this.thread;
    if (scenario.mode === 'mix') {
      const pair = Math.floor(i / 2);
      index = i % 2 === 0 ? pair % scenario.ids : (pair + scenario.ids - LAG) % scenario.ids;
      state = this.states.get(index) === a ? b : a;
      this.states.set(index, state);
    } else if (scenario.mode === 'repeat') {
      index = (i * this.threads + this.thread) % scenario.ids;
      thread = 0;
    }
    const time = scenario.mode === 'repeat' ? timeBase : timeBase + i * scenario.timeStep;
    const id = idFor(prefix, thread, index);
    const values: Record<string, string> = { ID: id, STATE: state, TIME: String(time) };
    return { id, body: scenario.template.replace(/__([A-Z]+)__/g, (_m, key: string) => values[key]) };
  }
}
