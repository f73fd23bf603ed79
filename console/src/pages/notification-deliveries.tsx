import type { Delivery } from '@alert-relay/client';
import { useQuery } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { ErrorNote, ShortId, Time } from '../components/common';
import { AttemptTable, DeliveryStatusBadge, DeliveryWhen, RetryButton } from '../components/delivery';
import { DeliveryHoldNote } from '../components/silence';
import { useSession } from '../session';

/** Every delivery of one notification, per channel, each with every attempt. */
export function NotificationDeliveries({ id }: { id: string }) {
  const { client } = useSession();
  const deliveries = useQuery({
    queryKey: ['notification', id, 'deliveries'],
    queryFn: async ({ signal }) =>
      unwrap(await client.GET('/api/v1/notifications/{id}/deliveries', { params: { path: { id } }, signal })).items,
    // Delivery progress is not in the change feed: look again while something is still on its way, and
    // (less often) while something is held, to show its release.
    refetchInterval: (query) => {
      const statuses = new Set(query.state.data?.map((d) => d.status));
      return statuses.has('pending') ? 2000 : statuses.has('held') ? 5000 : false;
    },
  });
  const byChannel = new Map<string, Delivery[]>();
  for (const d of deliveries.data ?? []) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      {deliveries.error && <ErrorNote error={deliveries.error} what="Could not load the deliveries" />}
      {deliveries.data?.length === 0 && (
        <p class="muted">Nothing was sent for this notification (no route chose a channel).</p>
      )}
      {[...byChannel].map(([channel, items]) => (
        <article key={channel} class="channel-deliveries" data-channel={channel}>
          <h3>{channel}</h3>
          {items.map((d) => (
            <div key={d.id} class="delivery" data-delivery={d.id} data-status={d.status}>
              <p class="delivery-head">
                <DeliveryStatusBadge delivery={d} />
                <span>
                  revision {d.revision} · {d.kind}
                </span>
                <span class="muted">
                  route {d.route} · created <Time at={d.createdAt} /> · <DeliveryWhen delivery={d} /> · id{' '}
                  <ShortId id={d.id} />
                </span>
                <RetryButton delivery={d} />
              </p>
              {d.hold && (
                <p class="muted hold">
                  <DeliveryHoldNote delivery={d} />
                </p>
              )}
              <AttemptTable attempts={d.attemptLog ?? []} />
            </div>
          ))}
        </article>
      ))}
    </section>
  );
}
