import type { DeliveryStatus, Severity } from '@alert-relay/client';

// The spec's enums, as lists for select boxes.
export const SEVERITIES: Severity[] = ['critical', 'warning', 'info', 'unknown'];
export const DELIVERY_STATUSES: DeliveryStatus[] = ['dead', 'pending', 'held', 'delivered', 'superseded', 'released'];

// Sources the service has built in; mail rules may add others, so source fields stay free text.
const KNOWN_SOURCES = ['stackstate', 'monasca', 'alertmanager', 'pagerduty', 'haproxy', 'email'];

export function SeverityOptions() {
  return (
    <>
      {SEVERITIES.map((s) => (
        <option key={s} value={s}>
          {s}
        </option>
      ))}
    </>
  );
}

/** Suggestions for a source field (`<input list={id}>`). */
export function KnownSources({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {KNOWN_SOURCES.map((s) => (
        <option key={s} value={s} />
      ))}
    </datalist>
  );
}
