import type { Notification } from '@alert-relay/client';
import { Link, useParams } from 'wouter-preact';
import { isStatus } from '../api';
import { ErrorNote, Instant, Json, SafeLink, SeverityBadge } from '../components/common';
import { HoldList } from '../components/silence';
import { useNotification } from '../queries';
import { useSession } from '../session';
import { Page } from '../shell';
import { NotificationActions } from './notification-actions';
import { NotificationDeliveries } from './notification-deliveries';
import { NotificationTimeline } from './notification-timeline';
import { StateBadges, TicketLinks } from './notifications';

export function NotificationPage() {
  const { id } = useParams<{ id: string }>();
  const { canWrite } = useSession();
  const detail = useNotification(id);

  if (detail.error) {
    return (
      <Page title={isStatus(detail.error, 404) ? 'No such notification' : 'Notification'}>
        <ErrorNote error={detail.error} />
        <p>
          <Link to="/">Back to the notifications</Link>
        </p>
      </Page>
    );
  }
  if (!detail.data) return <p class="loading">Loading…</p>;
  const n = detail.data.notification;
  return (
    <Page title={n.title || '(no title)'}>
      <p class="badges headline">
        <SeverityBadge severity={n.severity} />
        <StateBadges notification={n} />
        <span class="muted">
          {n.source} · {n.sourceState} · revision {n.revision}
        </span>
      </p>
      {canWrite && <NotificationActions version={detail.data} />}
      <NotificationFields notification={n} />
      <NotificationTimeline id={n.id} />
      <NotificationDeliveries id={n.id} />
    </Page>
  );
}

function NotificationFields({ notification: n }: { notification: Notification }) {
  const rows: [string, preact.ComponentChildren][] = [
    ['Message', n.message ? <p class="message">{n.message}</p> : null],
    ['Status', n.closedAt ? `${n.status} (${n.closeReason ?? 'no reason given'})` : n.status],
    ['Severity', `${n.severity} (source said ${n.sourceState})`],
    ['Source', `${n.source} · ${n.sourceInstance}`],
    ['External id', <code>{n.externalId}</code>],
    ['Host', n.host],
    ['Component', n.component ? <ComponentRef component={n.component} /> : null],
    ['Tags', n.tags.length ? <Tags tags={n.tags} /> : null],
    ['Tickets', <TicketLinks notification={n} />],
    ['Held by', n.heldBy.length ? <HoldList holds={n.heldBy} /> : null],
    [
      'Acknowledged',
      n.acknowledgement ? (
        <>
          by {n.acknowledgement.by}, <Instant at={n.acknowledgement.at} />
          {n.acknowledgement.reason ? `: ${n.acknowledgement.reason}` : ''}
        </>
      ) : null,
    ],
    ['Opened', <Instant at={n.openedAt} />],
    ['Last change', <Instant at={n.updatedAt} />],
    ['Closed', n.closedAt ? <Instant at={n.closedAt} /> : null],
    ['Last seen', <Instant at={n.lastSeenAt} />],
    ['Duplicates', String(n.duplicateCount)],
    ['Revision / version', `${n.revision} / ${n.version}`],
    ['Links', n.links.length ? <LinkList links={n.links} /> : null],
    ['Metadata', Object.keys(n.metadata).length ? <Metadata values={n.metadata} /> : null],
    ['Id', <code>{n.id}</code>],
  ];
  return (
    <section aria-labelledby="fields-heading">
      <h2 id="fields-heading">Fields</h2>
      <dl class="fields">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value ?? <span class="muted">–</span>}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function ComponentRef({ component }: { component: NonNullable<Notification['component']> }) {
  return (
    <>
      <SafeLink href={component.link}>{component.name}</SafeLink>
      {component.type && <span class="muted"> · {component.type}</span>}
      {component.identifier && (
        <>
          {' '}
          <code>{component.identifier}</code>
        </>
      )}
    </>
  );
}

function Tags({ tags }: { tags: string[] }) {
  return (
    <ul class="chips">
      {tags.map((tag) => (
        <li key={tag}>
          <Link to={`/?status=all&tag=${encodeURIComponent(tag)}`}>{tag}</Link>
        </li>
      ))}
    </ul>
  );
}

function LinkList({ links }: { links: Notification['links'] }) {
  return (
    <ul class="plain">
      {links.map((link) => (
        <li key={`${link.rel} ${link.href}`}>
          {link.rel}: <SafeLink href={link.href}>{link.href}</SafeLink>
        </li>
      ))}
    </ul>
  );
}

function Metadata({ values }: { values: Record<string, unknown> }) {
  return (
    <table class="kv">
      <tbody>
        {Object.entries(values).map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{typeof value === 'string' ? value : <Json value={value} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
