import type { Notification } from '@alert-relay/client';
import { useMutation, useQueryClient } from '@tanstack/preact-query';
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { isStatus, newIdempotencyKey, unwrap } from '../api';
import { ErrorNote } from '../components/common';
import { formFields } from '../components/forms';
import { storedOperator, storeOperator, useSession } from '../session';
import type { NotificationVersion } from '../queries';

type Answer = { data?: Notification; error?: unknown; response: Response };

/** Acknowledge / unacknowledge, close and link a ticket: offered to a key with the `write` scope only. */
export function NotificationActions({ version }: { version: NotificationVersion }) {
  const { client } = useSession();
  const n = version.notification;
  const path = { id: n.id };
  // Each write names the version on screen (If-Match) and carries a fresh Idempotency-Key: a double
  // click or a retry after a lost answer does not act twice.
  const header = () => ({
    ...(version.etag ? { 'If-Match': version.etag } : {}),
    'Idempotency-Key': newIdempotencyKey(),
  });
  const acknowledge = n.acknowledgement ? 'Unacknowledge' : 'Acknowledge';
  return (
    <section class="actions" aria-label="Actions">
      {/* Keyed: switching between the two starts a fresh form. */}
      <ActionForm
        key={acknowledge}
        id={n.id}
        title={acknowledge}
        run={(f) =>
          client.POST(
            n.acknowledgement ? '/api/v1/notifications/{id}/unacknowledge' : '/api/v1/notifications/{id}/acknowledge',
            { params: { path, header: header() }, body: { by: f.by, ...(f.reason ? { reason: f.reason } : {}) } },
          )
        }
      >
        <ByField />
        <Field name="reason" label="Why" maxLength={2000} />
      </ActionForm>
      {n.status === 'open' && (
        <ActionForm
          id={n.id}
          title="Close"
          run={(f) =>
            client.POST('/api/v1/notifications/{id}/close', {
              params: { path, header: header() },
              body: { reason: f.reason, by: f.by },
            })
          }
        >
          <ByField />
          <Field name="reason" label="Why" required maxLength={2000} />
          <p class="muted">Closing is delivered through the channels like a close from the source.</p>
        </ActionForm>
      )}
      <ActionForm
        id={n.id}
        title="Link ticket"
        run={(f) =>
          client.PUT('/api/v1/notifications/{id}/external-refs/{system}', {
            params: { path: { ...path, system: f.system }, header: version.etag ? { 'If-Match': version.etag } : {} },
            body: { id: f.ticket, ...(f.url ? { url: f.url } : {}) },
          })
        }
      >
        <Field name="system" label="System" required pattern="[A-Za-z0-9_.\-]{1,64}" placeholder="jira" />
        <Field name="ticket" label="Ticket id" required maxLength={200} placeholder="OPS-1234" />
        <Field name="url" label="URL" type="url" maxLength={2000} />
      </ActionForm>
      {n.host && (
        <Link
          class="action action-link"
          to={`/silences/new?${new URLSearchParams({ host: n.host, for: '2h', notification: n.id })}`}
        >
          Silence this host…
        </Link>
      )}
    </section>
  );
}

interface ActionFormProps {
  id: string;
  title: string;
  run: (fields: Record<string, string>) => Promise<Answer>;
  children: ComponentChildren;
}

/** One action behind a disclosure: its form, its progress and what went wrong. */
function ActionForm({ id, title, run, children }: ActionFormProps) {
  const queryClient = useQueryClient();
  const details = useRef<HTMLDetailsElement>(null);
  const action = useMutation({
    mutationFn: async (fields: Record<string, string>): Promise<NotificationVersion> => {
      const answer = await run(fields);
      return { notification: unwrap(answer), etag: answer.response.headers.get('etag') };
    },
    onSuccess: (result) => {
      queryClient.setQueryData(['notification', id], result);
      details.current?.removeAttribute('open');
    },
    // The events (and on close the deliveries) changed too; after a 412 the notification itself did.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['notification', id] }),
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const fields = formFields(event.currentTarget as HTMLFormElement);
    if (fields.by) storeOperator(fields.by);
    action.mutate(fields);
  };
  const slug = title.toLowerCase().replace(/\W+/g, '-');
  return (
    <details ref={details} class="action" data-action={slug}>
      <summary>{title}…</summary>
      <form onSubmit={submit} aria-label={title}>
        {children}
        <button type="submit" disabled={action.isPending}>
          {action.isPending ? 'Working…' : title}
        </button>
        {action.error && (
          <ErrorNote
            error={action.error}
            what={
              isStatus(action.error, 412)
                ? 'Someone changed this notification meanwhile; it is shown as it is now, check and try again'
                : `${title} failed`
            }
          />
        )}
      </form>
    </details>
  );
}

interface FieldProps {
  name: string;
  label: string;
  required?: boolean;
  maxLength?: number;
  pattern?: string;
  placeholder?: string;
  type?: string;
  defaultValue?: string;
}

function Field({ name, label, type = 'text', ...rest }: FieldProps) {
  return (
    <label>
      {label}
      <input name={name} type={type} autocomplete="off" {...rest} />
    </label>
  );
}

/** Who acts: remembered for this tab from the last action. */
function ByField() {
  return (
    <Field name="by" label="Who" required maxLength={200} defaultValue={storedOperator()} placeholder="your name" />
  );
}
