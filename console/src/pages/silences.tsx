import type { Silence } from '@alert-relay/client';
import { useInfiniteQuery } from '@tanstack/preact-query';
import { Link, useLocation, useParams, useSearch } from 'wouter-preact';
import { isStatus, unwrap } from '../api';
import { ErrorNote, Instant, ShowMore, TableHead, useTicking } from '../components/common';
import { EndSilence, MatcherList, SilenceStateBadge } from '../components/silence';
import { useSilence } from '../queries';
import { useSession } from '../session';
import { Page } from '../shell';

const STATES = ['active', 'pending', 'expired', 'all'] as const;
type StateFilter = (typeof STATES)[number];
const LABELS: Record<StateFilter, string> = { active: 'Active', pending: 'Pending', expired: 'Expired', all: 'All' };

/** Active (the default), pending and expired silences, newest first, with End for write keys. */
export function SilencesPage() {
  const { client, canWrite } = useSession();
  useTicking();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const state: StateFilter = (STATES as readonly string[]).includes(search.get('state') ?? '')
    ? (search.get('state') as StateFilter)
    : 'active';
  const list = useInfiniteQuery({
    queryKey: ['silences', state],
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await client.GET('/api/v1/silences', {
          params: { query: { ...(state === 'all' ? {} : { state }), limit: 50, cursor: pageParam } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Silences start and end with time, not through the change feed.
    refetchInterval: 15000,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Page
      title="Silences"
      actions={
        canWrite && (
          <Link to="/silences/new" class="button">
            New silence
          </Link>
        )
      }
    >
      <form class="filters" aria-label="Filter silences" onSubmit={(e) => e.preventDefault()}>
        <fieldset class="tabs">
          <legend>State</legend>
          {STATES.map((s) => (
            <label key={s} class={s === state ? 'tab current' : 'tab'}>
              <input
                type="radio"
                name="state"
                value={s}
                checked={s === state}
                onChange={() => navigate(s === 'active' ? '/silences' : `/silences?state=${s}`)}
              />
              {LABELS[s]}
            </label>
          ))}
        </fieldset>
      </form>
      {list.error && <ErrorNote error={list.error} what="Could not load the silences" />}
      {list.isPending && <p class="loading">Loading…</p>}
      {list.data && items.length === 0 && (
        <p class="muted">{state === 'all' ? 'No silence was ever made.' : `No ${state} silences.`}</p>
      )}
      {items.length > 0 && <SilenceTable silences={items} />}
      <ShowMore list={list} />
    </Page>
  );
}

function SilenceTable({ silences }: { silences: Silence[] }) {
  return (
    <table class="list silences">
      <TableHead columns={['State', 'Comment', 'Matchers', 'Starts', 'Ends', 'Created by', { hidden: 'Actions' }]} />
      <tbody>
        {silences.map((s) => (
          <tr key={s.id} data-id={s.id} data-state={s.state}>
            <td data-label="State">
              <SilenceStateBadge silence={s} />
            </td>
            <td data-label="Comment" class="comment">
              <Link to={`/silences/${s.id}`}>{s.comment}</Link>
            </td>
            <td data-label="Matchers">
              <MatcherList matchers={s.matchers} />
            </td>
            <td data-label="Starts">
              <Instant at={s.startsAt} />
            </td>
            <td data-label="Ends">
              <Instant at={s.endsAt} />
            </td>
            <td data-label="Created by">{s.createdBy}</td>
            <td>
              <EndSilence silence={s} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One silence: what it matches, when, who and why; End for write keys. */
export function SilencePage() {
  const { id } = useParams<{ id: string }>();
  useTicking();
  const silence = useSilence(id);
  if (silence.error) {
    return (
      <Page title={isStatus(silence.error, 404) ? 'No such silence' : 'Silence'}>
        <ErrorNote error={silence.error} />
        <p>
          <Link to="/silences">Back to the silences</Link>
        </p>
      </Page>
    );
  }
  if (!silence.data) return <p class="loading">Loading…</p>;
  const s = silence.data;
  const rows: [string, preact.ComponentChildren][] = [
    ['State', <SilenceStateBadge silence={s} />],
    ['Matches', <MatcherList matchers={s.matchers} />],
    ['Starts', <Instant at={s.startsAt} />],
    ['Ends', <Instant at={s.endsAt} />],
    ['Comment', <p class="message">{s.comment}</p>],
    ['Created by', s.createdBy],
    ['Created', <Instant at={s.createdAt} />],
    ['Id', <code>{s.id}</code>],
  ];
  return (
    <Page title={`Silence: ${s.comment}`} actions={<EndSilence silence={s} />}>
      <dl class="fields silence" data-id={s.id} data-state={s.state}>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p>
        <Link to="/deliveries?status=held">Held deliveries</Link> · <Link to="/silences">All active silences</Link>
      </p>
    </Page>
  );
}
