import { IdempotencyKeyEntity } from './api/idempotency-key.entity';
import { EntityClass } from './database/data-source-options';
import { ChannelStateEntity } from './delivery/channel-state.entity';
import { DeliveryAttemptEntity } from './delivery/delivery-attempt.entity';
import { DeliveryEntity } from './delivery/delivery.entity';
import { DigestGroupEntity } from './digests/digest-group.entity';
import { NotificationEventEntity } from './notifications/notification-event.entity';
import { NotificationEntity } from './notifications/notification.entity';
import { SilenceEntity } from './silences/silence.entity';

// Every entity of the app, for the tools that work without Nest (migration generator, schema check).
// The app itself loads each module's own (TypeOrmModule.forFeature in that module).
export const ALL_ENTITIES: EntityClass[] = [
  NotificationEntity,
  NotificationEventEntity,
  IdempotencyKeyEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  SilenceEntity,
  DigestGroupEntity,
  ChannelStateEntity,
];
