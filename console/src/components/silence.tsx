import type { Delivery, Hold, Silence } from '@alert-relay/client';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { unwrap } from '../api';
import { useSilence } from '../queries';
import { useSession } from '../session';
import { age, exactTime } from '../time-format';
import { Badge, ErrorNote, ShortId, Time } from './common';

type Matchers = Silence['matchers'];

const STATE_TONE: Record<Silence['state'], string> = { active: 'held', pending: 'pending', expired: 'closed' };

export function SilenceStateBadge({ silence }: { silence: Silence }) {
  return <Badge tone={STATE_TONE[silence.state]}>{silence.state}</Badge>;
}

/** A silence's matchers as `key = value`, one per line; `metadata.<k>` for each metadata key. */
export function MatcherList({ matchers }: { matchers: Matchers }) {
  const { metadata, ...keys } = matchers;
  const lines: [string, string[]][] = Object.entries(keys).map(([key, value]) => [key, asList(value)]);
  for (const [key, value] of Object.entries(metadata ?? {})) lines.push([`metadata.${key}`, asList(value)]);
  return (
    <ul class="matchers">
      {lines.map(([key, values]) => (
        <li key={key}>
          <code class="matcher-key">{key}</code> {key === 'tags' ? 'has' : '='}{' '}
          {values.map((value, i) => (
            <span key={i}>
              {i > 0 && <span class="muted"> {key === 'tags' ? 'and' : 'or'} </span>}
              <code class="matcher-value">{value}</code>
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * What holds a notification now, as badges: a silence links to its page; a maintenance window is
 * named (it lives in the config, not in the API).
 */
export function HeldBadges({ holds }: { holds: Hold[] }) {
  return (
    <>
      {holds.map((hold) => {
        const title = `Its changes are stored, not sent, until ${exactTime(hold.endsAt)}`;
        return hold.kind === 'silence' ? (
          <Link key={hold.id} to={`/silences/${hold.id}`} class="badge-link" title={title}>
            <Badge tone="held">silenced · ends {age(hold.endsAt)}</Badge>
          </Link>
        ) : (
          <Badge key={`maintenance ${hold.name}`} tone="held" title={title}>
            maintenance {hold.name} · ends {age(hold.endsAt)}
          </Badge>
        );
      })}
    </>
  );
}

/** The holds of a notification's detail: each silence with who made it and why. */
export function HoldList({ holds }: { holds: Hold[] }) {
  return (
    <ul class="plain">
      {holds.map((hold) =>
        hold.kind === 'silence' ? (
          <li key={hold.id}>
            <SilenceRef id={hold.id} /> · ends <Time at={hold.endsAt} />
          </li>
        ) : (
          <li key={`maintenance ${hold.name}`}>
            maintenance window <strong>{hold.name}</strong> · ends <Time at={hold.endsAt} />
          </li>
        ),
      )}
    </ul>
  );
}

/** "silence by ops: kernel upgrade", a link to the silence. */
function SilenceRef({ id }: { id: string }) {
  const { data } = useSilence(id);
  return (
    <Link to={`/silences/${id}`}>
      {data ? `silence by ${data.createdBy}: ${data.comment}` : <>silence {<ShortId id={id} />}</>}
    </Link>
  );
}

/** What held a delivery and how that ended: "held by silence 1a2b3c4d · released 2 min. ago as 5e6f7a8b". */
export function DeliveryHoldNote({ delivery: d }: { delivery: Delivery }) {
  if (!d.hold) return null;
  const { by, releasedAt, releasedAs } = d.hold;
  return (
    <span class="hold-note">
      held by{' '}
      {by.map((hold, i) => (
        <span key={i}>
          {i > 0 && ', '}
          {hold.kind === 'silence' ? (
            <Link to={`/silences/${hold.id}`}>
              silence <ShortId id={hold.id} />
            </Link>
          ) : (
            `maintenance ${hold.name}`
          )}
        </span>
      ))}
      {releasedAt === null ? (
        ' · still held'
      ) : (
        <>
          {' '}
          · released <Time at={releasedAt} />
          {releasedAs ? (
            <>
              {' '}
              as delivery <ShortId id={releasedAs} />
            </>
          ) : (
            ' (nothing to tell: the channel never heard of it)'
          )}
        </>
      )}
    </span>
  );
}

/** After a silence changed: what it holds (notifications, their deliveries) reads differently now. */
export function invalidateHolds(queryClient: QueryClient): void {
  for (const key of ['silences', 'silence', 'notifications', 'notification', 'deliveries']) {
    void queryClient.invalidateQueries({ queryKey: [key] });
  }
}

/** Ends a silence now (write scope), after a second click: what it holds is told to the channels at once. */
export function EndSilence({ silence }: { silence: Silence }) {
  const { client, canWrite } = useSession();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const end = useMutation({
    mutationFn: async () =>
      unwrap(await client.DELETE('/api/v1/silences/{id}', { params: { path: { id: silence.id } } })),
    onSuccess: (ended) => {
      queryClient.setQueryData(['silence', ended.id], ended);
      setConfirming(false);
    },
    onSettled: () => invalidateHolds(queryClient),
  });
  if (!canWrite || silence.state === 'expired') return null;
  return (
    <span class="end-silence">
      {confirming ? (
        <>
          <span>{silence.state === 'pending' ? 'It will never start.' : 'What it holds is sent now.'}</span>{' '}
          <button type="button" class="small" disabled={end.isPending} onClick={() => end.mutate()} autoFocus>
            {end.isPending ? 'Ending…' : 'End now'}
          </button>{' '}
          <button type="button" class="small secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button
          type="button"
          class="small"
          onClick={() => setConfirming(true)}
          aria-label={`End the silence by ${silence.createdBy}: ${silence.comment}`}
        >
          End…
        </button>
      )}
      {end.error && <ErrorNote error={end.error} what="Ending the silence failed" />}
    </span>
  );
}
