import { AlertRelayError, type Severity } from '@alert-relay/client';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api';
import { age, exactTime } from '../time-format';

/** Renders the calling component again every `ms`, so that the ages it shows stay true. */
export function useTicking(ms = 30_000): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** An instant as its age, with the exact time on hover and for assistive technology. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">–</span>;
  const exact = exactTime(at);
  return (
    <time dateTime={at} title={exact}>
      {age(at)}
    </time>
  );
}

/** The exact instant, for detail pages. */
export function Instant({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">–</span>;
  return (
    <time dateTime={at}>
      {exactTime(at)} <span class="muted">({age(at)})</span>
    </time>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span class={`badge sev-${severity}`}>{severity}</span>;
}

/** An attempt's outcome (a delivery's or a channel test's) in a badge. */
export function OutcomeBadge({ outcome }: { outcome: 'success' | 'retry' | 'permanent' }) {
  return <Badge tone={outcome === 'success' ? 'ok' : outcome === 'retry' ? 'pending' : 'bad'}>{outcome}</Badge>;
}

/** A status word in a badge; `tone` picks its colour (the word itself carries the meaning). */
export function Badge({ tone, children, title }: { tone: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

/**
 * A link from alert data (a monitor, a ticket): only http(s) URLs become links, anything else (a
 * `javascript:` URL in a hostile payload) is shown as text.
 */
export function SafeLink({ href, children }: { href: string | undefined; children: ComponentChildren }) {
  if (!href || !isWebUrl(href)) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

export function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A failed call in words; a 400's details (which field, what is wrong with it) listed below. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  const text = `${what ? `${what}: ` : ''}${describeError(error)}`;
  const details = error instanceof AlertRelayError ? (error.body?.details ?? []) : [];
  if (details.length === 0) {
    return (
      <p class="error" role="alert">
        {text}
      </p>
    );
  }
  return (
    <div class="error" role="alert">
      <p>{text}</p>
      <ul class="error-details">
        {details.map((d) => (
          <li key={`${d.field} ${d.problem}`}>
            <code>{d.field}</code> {d.problem}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Any JSON value, pretty-printed as text. */
export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** Short form of an id for tables; the whole id is in the title. */
export function ShortId({ id }: { id: string }) {
  return (
    <code title={id} class="id">
      {id.slice(0, 8)}
    </code>
  );
}

/** A table's column headings; `{ hidden }` names a column for screen readers only (a column of buttons). */
export function TableHead({ columns }: { columns: (string | { hidden: string })[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : (
            <th key={c.hidden} scope="col">
              <span class="visually-hidden">{c.hidden}</span>
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** The next page of a cursor-paged list, on demand. */
export function ShowMore({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  if (!list.hasNextPage) return null;
  return (
    <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
      {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
    </button>
  );
}
