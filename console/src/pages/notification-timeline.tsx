import type { NotificationEvent } from '@alert-relay/client';
import { useQuery } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { Badge, ErrorNote, Instant, Json } from '../components/common';
import { useSession } from '../session';

/** Every event of one notification, oldest first, each with the message as it was received. */
export function NotificationTimeline({ id }: { id: string }) {
  const { client } = useSession();
  const events = useQuery({
    queryKey: ['notification', id, 'events'],
    queryFn: async ({ signal }) =>
      unwrap(await client.GET('/api/v1/notifications/{id}/events', { params: { path: { id } }, signal })).items,
  });
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {events.error && <ErrorNote error={events.error} what="Could not load the events" />}
      {events.data && (
        <ol class="timeline">
          {events.data.map((event) => (
            <TimelineEntry key={event.sequence} event={event} />
          ))}
        </ol>
      )}
    </section>
  );
}

function TimelineEntry({ event }: { event: NotificationEvent }) {
  const details = Object.entries(event.details);
  return (
    <li class={`event event-${event.type}`} data-type={event.type}>
      <div class="event-head">
        <Badge tone={event.type}>{event.type.replace('_', ' ')}</Badge>
        <span class="muted">revision {event.revision}</span>
        <Instant at={event.receivedAt} />
        {event.sourceTimestamp && (
          <span class="muted">
            (source time <Instant at={event.sourceTimestamp} />)
          </span>
        )}
      </div>
      {details.length > 0 && (
        <dl class="inline">
          {details.map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      <details>
        <summary>Raw payload</summary>
        <Json value={event.payload} />
      </details>
    </li>
  );
}
