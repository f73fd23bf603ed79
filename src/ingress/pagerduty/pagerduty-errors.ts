import { ApiError } from '../../common/api-error';
import { Schemas } from '../../common/api-types';

/** Where PagerDuty's Events API v2 takes alert events (`https://events.pagerduty.com/v2/enqueue`). */
export const PAGERDUTY_EVENTS_PATH = '/v2/enqueue';

/**
 * Any error on that path in PagerDuty's error shape (docs/sources.md, "PagerDuty Events API v2"): senders
 * log `message` and `errors` (Alertmanager: "<message>: <errors, joined>"), and some check `status`.
 */
export function pagerDutyErrorBody(error: ApiError, requestId: string): Schemas['PagerDutyError'] {
  if (error.code === 'malformed_json') {
    return {
      status: 'Unrecognized object',
      message: 'Event object format is unrecognized',
      errors: ['JSON parse error'],
      requestId,
    };
  }
  if (error.status === 400) {
    const errors = error.details?.length ? error.details.map((d) => `'${d.field}' ${d.problem}`) : [error.message];
    return { status: 'invalid event', message: 'Event object is invalid', errors, requestId };
  }
  return { status: error.code, message: error.message, errors: [error.message], requestId };
}
