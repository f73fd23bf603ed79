import type { Notification } from '@alert-relay/client';
import { infiniteQueryOptions, useInfiniteQuery, usePrefetchInfiniteQuery } from '@tanstack/preact-query';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { unwrap } from '../api';
import { Badge, ErrorNote, SafeLink, SeverityBadge, ShowMore, TableHead, Time, useTicking } from '../components/common';
import { useSession } from '../session';
import { Page } from '../shell';
import { HeldBadges } from '../components/silence';
import { NotificationFilters, parseFilters, SORT_LABELS, toApiQuery } from './notification-filters';

const PAGE_SIZE = 50;

export function NotificationsPage() {
  const { client } = useSession();
  useTicking();
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = parseFilters(search);
  const options = infiniteQueryOptions({
    queryKey: ['notifications', filters],
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await client.GET('/api/v1/notifications', {
          params: { query: { ...toApiQuery(filters), limit: PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  // Asked while rendering, not once the first frame is painted (when useInfiniteQuery subscribes): on
  // opening the console, the list goes out as soon as the feed's start has answered (session.ts).
  usePrefetchInfiniteQuery(options);
  const list = useInfiniteQuery(options);
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Page title="Notifications">
      <NotificationFilters key={search} filters={filters} onApply={(query) => navigate(query ? `/?${query}` : '/')} />
      {list.error && <ErrorNote error={list.error} what="Could not load the notifications" />}
      {list.isPending && <p class="loading">Loading…</p>}
      {list.data && (
        <>
          <p class="muted" aria-live="polite" data-testid="count">
            {items.length === 0
              ? 'No notifications match these filters.'
              : `${items.length}${list.hasNextPage ? '+' : ''} ${filters.status === 'all' ? '' : `${filters.status} `}notification${items.length === 1 ? '' : 's'}, ${SORT_LABELS[filters.sort]}`}
          </p>
          {items.length > 0 && <NotificationTable items={items} />}
          <ShowMore list={list} />
        </>
      )}
    </Page>
  );
}

function NotificationTable({ items }: { items: Notification[] }) {
  return (
    <table class="list notifications">
      <TableHead columns={['Severity', 'Title', 'Source', 'Host', 'State', 'Opened', 'Changed', 'Tickets']} />
      <tbody>
        {items.map((n) => (
          <tr key={n.id} data-id={n.id}>
            <td data-label="Severity">
              <SeverityBadge severity={n.severity} />
            </td>
            <td data-label="Title" class="title">
              <Link to={`/notifications/${n.id}`}>{n.title || '(no title)'}</Link>
            </td>
            <td data-label="Source">
              {n.source}
              <span class="muted"> · {n.sourceInstance}</span>
            </td>
            <td data-label="Host">
              {n.host ? (
                <Link to={`/?host=${encodeURIComponent(n.host)}`} title={`Only notifications about ${n.host}`}>
                  {n.host}
                </Link>
              ) : (
                <span class="muted">–</span>
              )}
            </td>
            <td data-label="State">
              <StateBadges notification={n} />
            </td>
            <td data-label="Opened">
              <Time at={n.openedAt} />
            </td>
            <td data-label="Changed">
              <Time at={n.updatedAt} />
            </td>
            <td data-label="Tickets">
              <TicketLinks notification={n} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Open or closed, who acknowledged it, and what silences it now (a link to the silence). */
export function StateBadges({ notification: n }: { notification: Notification }) {
  return (
    <span class="badges">
      <Badge tone={n.status === 'open' ? 'open' : 'closed'}>{n.status}</Badge>
      {n.acknowledgement && (
        <Badge tone="ack" title={n.acknowledgement.reason ?? undefined}>
          ack · {n.acknowledgement.by}
        </Badge>
      )}
      <HeldBadges holds={n.heldBy} />
    </span>
  );
}

export function TicketLinks({ notification: n }: { notification: Notification }) {
  if (n.externalRefs.length === 0) return <span class="muted">–</span>;
  return (
    <span class="badges">
      {n.externalRefs.map((ref) => (
        <SafeLink key={ref.system} href={ref.url}>
          {ref.system}: {ref.id}
        </SafeLink>
      ))}
    </span>
  );
}
