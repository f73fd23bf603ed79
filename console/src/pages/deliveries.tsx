import type { Delivery, DeliveryStatus } from '@alert-relay/client';
import { useInfiniteQuery, useQuery } from '@tanstack/preact-query';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { unwrap } from '../api';
import { ErrorNote, ShortId, ShowMore, TableHead, Time, useTicking } from '../components/common';
import { DeliveryStatusBadge, DeliveryWhen, LastAnswer, RetryButton } from '../components/delivery';
import { DELIVERY_STATUSES } from '../components/options';
import { useNotification } from '../queries';
import { useSession } from '../session';
import { Page } from '../shell';

const LABELS: Record<DeliveryStatus, string> = {
  dead: 'Dead letters',
  pending: 'Pending',
  delivered: 'Delivered',
  superseded: 'Superseded',
  held: 'Held (silenced)',
  released: 'Released',
};

/** Dead letters and pending work, per channel, with Retry. */
export function DeliveriesPage() {
  const { client } = useSession();
  useTicking();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const status = (DELIVERY_STATUSES as string[]).includes(search.get('status') ?? '')
    ? (search.get('status') as DeliveryStatus)
    : 'dead';
  const channel = search.get('channel') ?? '';
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: async ({ signal }) => unwrap(await client.GET('/api/v1/channels', { signal })).items,
  });
  const list = useInfiniteQuery({
    queryKey: ['deliveries', status, channel],
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await client.GET('/api/v1/deliveries', {
          params: { query: { status, ...(channel ? { channel } : {}), limit: 50, cursor: pageParam } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Delivery progress is not in the change feed.
    refetchInterval: status === 'pending' ? 3000 : 15000,
  });
  const go = (next: { status?: string; channel?: string }) => {
    const params = new URLSearchParams({ status, ...(channel ? { channel } : {}), ...next });
    if (!params.get('channel')) params.delete('channel');
    navigate(`/deliveries?${params}`);
  };
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const byChannel = new Map<string, Delivery[]>();
  for (const d of items) byChannel.set(d.channel, [...(byChannel.get(d.channel) ?? []), d]);

  return (
    <Page title="Deliveries">
      <form class="filters" aria-label="Filter deliveries" onSubmit={(e) => e.preventDefault()}>
        <fieldset class="tabs">
          <legend>Status</legend>
          {DELIVERY_STATUSES.map((s) => (
            <label key={s} class={s === status ? 'tab current' : 'tab'}>
              <input type="radio" name="status" value={s} checked={s === status} onChange={() => go({ status: s })} />
              {LABELS[s]}
            </label>
          ))}
        </fieldset>
        <label>
          Channel
          <select name="channel" value={channel} onChange={(e) => go({ channel: e.currentTarget.value })}>
            <option value="">All channels</option>
            {channels.data?.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.error && <ErrorNote error={list.error} what="Could not load the deliveries" />}
      {list.isPending && <p class="loading">Loading…</p>}
      {list.data && items.length === 0 && <p class="muted">No {LABELS[status].toLowerCase()}.</p>}
      {[...byChannel].map(([name, deliveries]) => (
        <section key={name} class="channel-deliveries" data-channel={name} aria-labelledby={`channel-${name}`}>
          <h2 id={`channel-${name}`}>
            {name} <span class="muted">({deliveries.length})</span>
          </h2>
          <DeliveryTable deliveries={deliveries} />
        </section>
      ))}
      <ShowMore list={list} />
    </Page>
  );
}

function DeliveryTable({ deliveries }: { deliveries: Delivery[] }) {
  return (
    <table class="list deliveries">
      <TableHead
        columns={[
          'Notification',
          'Change',
          'Status',
          'Attempts',
          'Last answer',
          'Created',
          'Due / done',
          { hidden: 'Actions' },
        ]}
      />
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id} data-delivery={d.id} data-status={d.status}>
            <td data-label="Notification">
              <NotificationTitle id={d.notificationId} />
            </td>
            <td data-label="Change">
              revision {d.revision} · {d.kind}
            </td>
            <td data-label="Status">
              <DeliveryStatusBadge delivery={d} />
            </td>
            <td data-label="Attempts">{d.attempts}</td>
            <td data-label="Last answer">
              <LastAnswer delivery={d} />
            </td>
            <td data-label="Created">
              <Time at={d.createdAt} />
            </td>
            <td data-label="Due / done">
              <DeliveryWhen delivery={d} />
            </td>
            <td>
              <RetryButton delivery={d} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NotificationTitle({ id }: { id: string }) {
  const { data } = useNotification(id);
  return (
    <Link to={`/notifications/${id}`}>{data ? data.notification.title || '(no title)' : <ShortId id={id} />}</Link>
  );
}
