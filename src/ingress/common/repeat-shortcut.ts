import { CanActivate, ExecutionContext, Injectable, mixin, Type } from '@nestjs/common';
import { IngressRequest, markAnsweredBody } from '../../common/request-context';
import { NotificationsService } from '../../notifications/notifications.service';
import { SignalPreviews } from '../../notifications/signal-previews';

// The routes RepeatShortcut guards: only their bodies' digests are taken (`takesBodyDigest`), not
// those of every webhook (an Alertmanager request may carry megabytes). The repeats e2e fails if a
// route moves and this list does not.
const ROUTES_WITH_SHORTCUT = ['/webhooks/stackstate', '/webhooks/monasca/'];

/** Whether the JSON parser should take a digest of this request's body for RepeatShortcut. */
export function takesBodyDigest(url: string): boolean {
  return ROUTES_WITH_SHORTCUT.some((prefix) => url.startsWith(prefix));
}

/**
 * For a webhook whose handler ingests one message (`source`: its SignalPreviews key), after the guard
 * that authenticates it: a body this process has seen before, with the same credential, is answered
 * before it is validated and mapped, when the message it made is one the RepeatLedger answers as a
 * duplicate. The same bytes with the same credential make the same message, so the answer is the one
 * the handler would give; producers that repeat (Monasca's periodic resend, a retry) cost a digest of
 * the body (`bodyDigest`, taken by the JSON parser) instead of the pipe. The answer waits in
 * `request.repeatAnswer` (the handler returns it) and the pipe passes the body on unread. Any other body
 * goes on as usual, and is remembered when its message comes out a duplicate (most bodies never come
 * again). A guard rather than an interceptor: an interceptor wraps every request of the route in RxJS,
 * which cost more than the shortcut saves on the ones it misses.
 */
export function RepeatShortcut(source: string): Type<CanActivate> {
  @Injectable()
  class Shortcut implements CanActivate {
    constructor(
      private readonly notifications: NotificationsService,
      private readonly previews: SignalPreviews,
    ) {}

    canActivate(context: ExecutionContext): boolean {
      const request = context.switchToHttp().getRequest<IngressRequest>();
      const { bodyDigest, sourceInstance, body } = request;
      if (!bodyDigest || !sourceInstance || body === null || typeof body !== 'object') return true;
      const bodyKey = `${source}\n${sourceInstance}\n${bodyDigest}`;
      const answer =
        this.notifications.knowsRepeatBodies &&
        this.notifications.answerRepeatBody(
          bodyKey,
          () => this.previews.toSignal(source, body, sourceInstance),
          request,
        );
      if (answer) {
        request.repeatAnswer = answer;
        markAnsweredBody(body as object);
      } else {
        request.repeatBody = bodyKey;
      }
      return true;
    }
  }
  return mixin(Shortcut);
}
