import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AlertSignal } from '../domain/alert-signal';
import { DeliveryKind } from '../domain/notification';
import { OutboxPlanner } from '../delivery/outbox-plan';
import { RoutingService } from '../routing/routing.service';
import { Holds } from '../silences/holds';
import { planStep } from './change-plan';
import { ChangeRequest, PlannedChange } from './change.repository';
import { decide, Decision } from './lifecycle';
import { toNotification } from './notification-mapper';
import { LifecycleRow } from './notification-state';

export interface LifecycleOptions {
  /** Apply to this notification instead of the newest one of the signal's (source, externalId). */
  notificationId?: string;
  /** Decides instead of the lifecycle rules (a close by hand is always a close). */
  decide?: (latest: LifecycleRow | null) => Decision;
  /** Runs on the locked row before anything is decided; throws to refuse (e.g. a stale If-Match). */
  precheck?: (latest: LifecycleRow | null) => void;
  /** Merged into a close's event (who closed by hand). */
  closeDetails?: Record<string, unknown>;
}

/**
 * The lifecycle as a plan: on the row read under the lock, the rules decide the step (lifecycle.ts), the
 * step's writes are planned (change-plan.ts), and routing picks the channels a new revision is told to,
 * as outbox rows, held while a silence or maintenance window matches the notification. The change
 * repository writes what this plans, in one transaction.
 */
@Injectable()
export class LifecyclePlanner {
  constructor(
    private readonly routing: RoutingService,
    private readonly outbox: OutboxPlanner,
    private readonly holds: Holds,
  ) {}

  request(signal: AlertSignal, now: Date, options: LifecycleOptions = {}): ChangeRequest {
    return {
      source: signal.source,
      externalId: signal.externalId,
      notificationId: options.notificationId,
      // A change by hand (decided or checked otherwise) is never one whose repeat could be answered alone.
      signal: options.decide || options.precheck || options.notificationId ? undefined : signal,
      plan: (latest) => {
        options.precheck?.(latest);
        const decision = options.decide ? options.decide(latest) : decide(latest, signal);
        const step = planStep(decision, signal, latest, now, randomUUID, options.closeDetails);
        return { step, delivery: step.deliver && step.row ? this.deliveries(step.row, step.deliver) : null };
      },
    };
  }

  /** The deliveries of a revision, with the notification they carry (built only when there are any). */
  private deliveries(row: LifecycleRow, kind: DeliveryKind): PlannedChange['delivery'] {
    const plan = this.outbox.plan(this.routing.route(row).targets, row.revision, kind, this.holds.heldBy(row));
    return plan && { plan, payload: toNotification({ ...row, acknowledgement: null, externalRefs: [] }) };
  }
}
