import type { Delivery, DeliveryAttempt } from '@alert-relay/client';
import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { useSession } from '../session';
import { Badge, ErrorNote, OutcomeBadge, TableHead, Time } from './common';

const STATUS_TONE: Record<Delivery['status'], string> = {
  pending: 'pending',
  delivered: 'ok',
  dead: 'bad',
  superseded: 'closed',
  held: 'pending',
  released: 'closed',
};

export function DeliveryStatusBadge({ delivery: d }: { delivery: Delivery }) {
  return <Badge tone={STATUS_TONE[d.status]}>{d.inFlight ? 'sending' : d.status}</Badge>;
}

/** When a pending delivery is due, when a held one's holds end, or when a finished one finished. */
export function DeliveryWhen({ delivery: d }: { delivery: Delivery }) {
  if (d.status === 'held' && d.hold?.by.length) {
    const until = Math.max(...d.hold.by.map((hold) => new Date(hold.endsAt).getTime()));
    return (
      <>
        held, ends <Time at={new Date(until).toISOString()} />
      </>
    );
  }
  if (d.status === 'pending') {
    return (
      <>
        due <Time at={d.nextAttemptAt} />
      </>
    );
  }
  return <Time at={d.completedAt} />;
}

/** The last answer in one line: status code and error, or the start of the answer. */
export function LastAnswer({ delivery: d }: { delivery: Delivery }) {
  if (d.lastStatusCode === null && d.lastError === null) return <span class="muted">–</span>;
  return (
    <span class="answer">
      {d.lastStatusCode !== null && <code>{d.lastStatusCode}</code>} {d.lastError}
    </span>
  );
}

/** Every attempt of one delivery: when, how long, what the channel's service answered. */
export function AttemptTable({ attempts }: { attempts: DeliveryAttempt[] }) {
  if (attempts.length === 0) return <p class="muted">No attempt yet.</p>;
  return (
    <table class="list attempts">
      <TableHead columns={['#', 'Started', 'Took', 'Outcome', 'Status', 'Error', 'Answer']} />
      <tbody>
        {attempts.map((a) => (
          <tr key={a.attempt}>
            <td data-label="#">{a.attempt}</td>
            <td data-label="Started">
              <Time at={a.startedAt} />
            </td>
            <td data-label="Took">{a.durationMs} ms</td>
            <td data-label="Outcome">
              <OutcomeBadge outcome={a.outcome} />
            </td>
            <td data-label="Status">{a.statusCode ?? <span class="muted">–</span>}</td>
            <td data-label="Error">{a.error ?? <span class="muted">–</span>}</td>
            <td data-label="Answer">
              {a.response ? <code class="answer">{a.response}</code> : <span class="muted">–</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Replays a finished delivery now (write scope). */
export function RetryButton({ delivery: d }: { delivery: Delivery }) {
  const { client, canWrite } = useSession();
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: async () =>
      unwrap(await client.POST('/api/v1/deliveries/{id}/retry', { params: { path: { id: d.id } } })),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['deliveries'] });
      void queryClient.invalidateQueries({ queryKey: ['notification', d.notificationId, 'deliveries'] });
    },
  });
  // Pending and held deliveries are not finished: the worker or the end of a hold takes them on.
  if (!canWrite || d.status === 'pending' || d.status === 'held') return null;
  return (
    <span class="retry">
      <button
        type="button"
        class="small"
        disabled={retry.isPending}
        onClick={() => retry.mutate()}
        aria-label={`Retry the ${d.kind} delivery of revision ${d.revision} to ${d.channel}`}
      >
        {retry.isPending ? 'Retrying…' : 'Retry'}
      </button>
      {retry.isSuccess && <span role="status"> queued again</span>}
      {retry.error && <ErrorNote error={retry.error} what="Retry failed" />}
    </span>
  );
}
