import type { SilenceRequest } from '@alert-relay/client';
import { useMutation, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { newIdempotencyKey, unwrap } from '../api';
import { ErrorNote } from '../components/common';
import { age, exactTime } from '../time-format';
import { formFields } from '../components/forms';
import { SeverityOptions } from '../components/options';
import { invalidateHolds } from '../components/silence';
import { useNotification } from '../queries';
import { storedOperator, storeOperator, useSession } from '../session';
import { Page } from '../shell';
import { fromLocalInput, parseDuration, toLocalInput } from '../time-input';

// The keys of a silence's matchers (a route's `match`); metadata takes a key of its own per row.
const KEYS = ['host', 'source', 'sourceInstance', 'severity', 'status', 'tags', 'metadata'] as const;
type MatcherKey = (typeof KEYS)[number];
const KEY_LABELS: Record<MatcherKey, string> = {
  host: 'host',
  source: 'source',
  sourceInstance: 'source instance',
  severity: 'severity',
  status: 'status',
  tags: 'tag',
  metadata: 'metadata.<key>',
};
const PLACEHOLDERS: Partial<Record<MatcherKey, string>> = {
  host: 'db-7 or db-*',
  source: 'stackstate',
  sourceInstance: 'token or key name',
  tags: 'cluster-name:prod',
  metadata: 'a value, or * for any',
};
const DURATIONS = ['30m', '1h', '2h', '4h', '8h', '1d', '1w'];

interface MatcherRow {
  id: number;
  key: MatcherKey;
  metadataKey: string;
  value: string;
}

let nextRowId = 1;
const row = (key: MatcherKey, value = '', metadataKey = ''): MatcherRow => ({
  id: nextRowId++,
  key,
  metadataKey,
  value,
});

/**
 * The form's first state from the address: matcher keys (`host=db-7`, `metadata.scope=x`, repeatable),
 * `for` (a duration), `comment`, and `notification` (the notification it is made from, gone back to).
 */
function prefill(search: string) {
  const params = new URLSearchParams(search);
  const rows: MatcherRow[] = [];
  for (const [name, value] of params) {
    if ((KEYS as readonly string[]).includes(name) && name !== 'metadata') rows.push(row(name as MatcherKey, value));
    else if (name.startsWith('metadata.')) rows.push(row('metadata', value, name.slice('metadata.'.length)));
  }
  return {
    rows: rows.length > 0 ? rows : [row('host')],
    duration: params.get('for') ?? '2h',
    comment: params.get('comment') ?? '',
    notification: params.get('notification'),
  };
}

/** The matchers of the rows: rows with the same key become a list (any of them; for tags, all of them). */
function toMatchers(rows: MatcherRow[]): SilenceRequest['matchers'] {
  const matchers: Record<string, string[]> = {};
  const metadata: Record<string, string[]> = {};
  for (const r of rows) {
    const value = r.value.trim();
    if (!value) continue;
    if (r.key === 'metadata') (metadata[r.metadataKey.trim()] ??= []).push(value);
    else (matchers[r.key] ??= []).push(value);
  }
  return {
    ...matchers,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}

export function NewSilencePage() {
  const { identity, canWrite } = useSession();
  // The key kept in this tab is still being checked: neither the form nor the refusal yet.
  if (!identity) return <p class="loading">Loading…</p>;
  if (!canWrite) {
    return (
      <Page title="New silence">
        <p class="notice">
          This API key may only read: making a silence needs a key with the <code>write</code> scope.{' '}
          <Link to="/silences">Back to the silences</Link>
        </p>
      </Page>
    );
  }
  return <SilenceForm operator={identity.name} />;
}

function SilenceForm({ operator }: { operator: string }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [initial] = useState(() => prefill(search));
  const [rows, setRows] = useState(initial.rows);
  const [startsAt, setStartsAt] = useState('');
  const [endMode, setEndMode] = useState<'for' | 'at'>('for');
  const [duration, setDuration] = useState(initial.duration);
  const [endsAt, setEndsAt] = useState(() => toLocalInput(new Date(Date.now() + 2 * 3_600_000)));
  const [problem, setProblem] = useState<string | null>(null);
  const from = initial.notification;
  const back = from ? `/notifications/${from}` : '/silences';

  const create = useMutation({
    mutationFn: async (body: SilenceRequest) =>
      unwrap(
        await client.POST('/api/v1/silences', {
          params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
          body,
        }),
      ),
    onSuccess: (silence) => {
      queryClient.setQueryData(['silence', silence.id], silence);
      invalidateHolds(queryClient);
      navigate(from ? back : `/silences/${silence.id}`);
    },
  });

  const start = fromLocalInput(startsAt);
  const durationMs = parseDuration(duration);
  const end =
    endMode === 'at'
      ? fromLocalInput(endsAt)
      : durationMs === null
        ? null
        : new Date((start ?? new Date()).getTime() + durationMs);

  const submit = (event: Event) => {
    event.preventDefault();
    const { comment = '', createdBy = '' } = formFields(event.currentTarget as HTMLFormElement);
    if (end === null) {
      setProblem(endMode === 'for' ? 'Write the duration as 30m, 2h, 1d or 1h30m.' : 'Give the date and time it ends.');
      return;
    }
    setProblem(null);
    storeOperator(createdBy);
    create.mutate({
      matchers: toMatchers(rows),
      ...(start ? { startsAt: start.toISOString() } : {}),
      endsAt: end.toISOString(),
      comment,
      createdBy,
    });
  };
  const update = (id: number, change: Partial<MatcherRow>) =>
    setRows((current) => current.map((r) => (r.id === id ? { ...r, ...change } : r)));

  return (
    <Page title="New silence">
      {from && <FromNotification id={from} />}
      <p class="muted">
        While a silence holds a notification, its changes are stored and shown here but not sent; when the silence ends,
        each channel is told the notification's state once.
      </p>
      <form class="silence-form" onSubmit={submit} aria-label="New silence">
        <fieldset>
          <legend>Matches notifications with</legend>
          <p class="muted">
            Every row must match; rows with the same key match when any of them does (tags: all of them). <code>*</code>{' '}
            is a wildcard; host is compared ignoring case.
          </p>
          {rows.map((r, i) => (
            <MatcherFields
              key={r.id}
              row={r}
              index={i}
              onChange={(change) => update(r.id, change)}
              onRemove={rows.length > 1 ? () => setRows(rows.filter((x) => x.id !== r.id)) : undefined}
            />
          ))}
          <button type="button" class="secondary small" onClick={() => setRows([...rows, row('host')])}>
            Add matcher
          </button>
        </fieldset>
        <fieldset>
          <legend>When</legend>
          <div class="row">
            <label>
              Starts (empty: now)
              <input
                type="datetime-local"
                name="startsAt"
                value={startsAt}
                onInput={(e) => setStartsAt(e.currentTarget.value)}
              />
            </label>
            <label class="choice">
              <input type="radio" name="endMode" checked={endMode === 'for'} onChange={() => setEndMode('for')} />
              Lasts
            </label>
            <label>
              Duration
              <input
                name="duration"
                value={duration}
                list="silence-durations"
                disabled={endMode !== 'for'}
                required
                placeholder="2h"
                autocomplete="off"
                onInput={(e) => setDuration(e.currentTarget.value)}
              />
            </label>
            <datalist id="silence-durations">
              {DURATIONS.map((d) => (
                <option key={d} value={d} />
              ))}
            </datalist>
            <label class="choice">
              <input type="radio" name="endMode" checked={endMode === 'at'} onChange={() => setEndMode('at')} />
              Ends at a time
            </label>
            <label>
              Ends
              <input
                type="datetime-local"
                name="endsAt"
                value={endsAt}
                disabled={endMode !== 'at'}
                required
                onInput={(e) => setEndsAt(e.currentTarget.value)}
              />
            </label>
          </div>
          <p class="muted" aria-live="polite" data-testid="silence-window">
            {end
              ? `Holds from ${start ? exactTime(start) : 'now'} until ${exactTime(end)} (ends ${age(end.toISOString())}).`
              : 'When it ends is not clear yet.'}
          </p>
        </fieldset>
        <div class="row">
          <label class="grow">
            Comment
            <input
              name="comment"
              required
              maxLength={2000}
              placeholder="why: a change ticket, a maintenance note"
              defaultValue={initial.comment}
            />
          </label>
          <label>
            Created by
            <input name="createdBy" required maxLength={200} defaultValue={storedOperator() || operator} />
          </label>
        </div>
        <div class="filter-actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create silence'}
          </button>
          <Link to={back} class="button secondary">
            Cancel
          </Link>
        </div>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        {create.error && <ErrorNote error={create.error} />}
      </form>
    </Page>
  );
}

interface MatcherFieldsProps {
  row: MatcherRow;
  index: number;
  onChange: (change: Partial<MatcherRow>) => void;
  onRemove?: () => void;
}

function MatcherFields({ row: r, index, onChange, onRemove }: MatcherFieldsProps) {
  const name = `Matcher ${index + 1}`;
  const changeKey = (key: MatcherKey) => {
    // A select's value must be one of its options.
    const value =
      key === 'severity'
        ? 'critical'
        : key === 'status'
          ? 'open'
          : r.key === 'severity' || r.key === 'status'
            ? ''
            : r.value;
    onChange({ key, value });
  };
  return (
    <fieldset class="matcher row" data-key={r.key}>
      <legend class="visually-hidden">{name}</legend>
      <label>
        Key
        <select value={r.key} onChange={(e) => changeKey(e.currentTarget.value as MatcherKey)}>
          {KEYS.map((k) => (
            <option key={k} value={k}>
              {KEY_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      {r.key === 'metadata' && (
        <label>
          Metadata key
          <input
            value={r.metadataKey}
            required
            maxLength={200}
            placeholder="scope"
            autocomplete="off"
            onInput={(e) => onChange({ metadataKey: e.currentTarget.value })}
          />
        </label>
      )}
      <label class="grow">
        Value
        {r.key === 'severity' ? (
          <select value={r.value} onChange={(e) => onChange({ value: e.currentTarget.value })}>
            <SeverityOptions />
          </select>
        ) : r.key === 'status' ? (
          <select value={r.value} onChange={(e) => onChange({ value: e.currentTarget.value })}>
            <option value="open">open</option>
            <option value="closed">closed</option>
          </select>
        ) : (
          <input
            value={r.value}
            required
            maxLength={1000}
            placeholder={PLACEHOLDERS[r.key]}
            autocomplete="off"
            onInput={(e) => onChange({ value: e.currentTarget.value })}
          />
        )}
      </label>
      {onRemove && (
        <button type="button" class="secondary small" onClick={onRemove} aria-label={`Remove matcher ${index + 1}`}>
          Remove
        </button>
      )}
    </fieldset>
  );
}

/** Which notification the form was opened from, with a way back. */
function FromNotification({ id }: { id: string }) {
  const { data } = useNotification(id);
  return (
    <p class="notice">
      From the notification{' '}
      <Link to={`/notifications/${id}`}>{data ? data.notification.title || '(no title)' : id}</Link>
      {data?.notification.host ? ` on ${data.notification.host}` : ''}.
    </p>
  );
}
