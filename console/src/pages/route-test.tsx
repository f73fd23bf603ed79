import type { RouteTestRequest, Severity } from '@alert-relay/client';
import { useMutation } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { ErrorNote, Json } from '../components/common';
import { formFields } from '../components/forms';
import { KnownSources, SeverityOptions } from '../components/options';
import { useSession } from '../session';

type TestNotification = NonNullable<RouteTestRequest['notification']>;

/** "Which channels would this reach?": the routing decision and the exact messages, nothing sent. */
export function RouteTest() {
  const { client } = useSession();
  const test = useMutation({
    mutationFn: async (notification: TestNotification) =>
      unwrap(await client.POST('/api/v1/routes/test', { body: { notification } })),
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const fields = formFields(event.currentTarget as HTMLFormElement);
    const text = (name: string) => fields[name] ?? '';
    const tags = text('tags')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    test.mutate({
      source: text('source'),
      severity: text('severity') as Severity,
      status: text('status') === 'closed' ? 'closed' : 'open',
      title: text('title'),
      ...(text('sourceInstance') ? { sourceInstance: text('sourceInstance') } : {}),
      ...(text('host') ? { host: text('host') } : {}),
      ...(text('message') ? { message: text('message') } : {}),
      ...(tags.length ? { tags } : {}),
    });
  };
  const result = test.data;
  return (
    <section aria-labelledby="route-test-heading" class="route-test">
      <h2 id="route-test-heading">Route dry run</h2>
      <p class="muted">Which routes and channels a notification like this would reach. Nothing is stored or sent.</p>
      <form class="grid-form" onSubmit={submit} aria-labelledby="route-test-heading">
        <label>
          Source
          <input name="source" required maxLength={64} defaultValue="stackstate" list="known-sources-route" />
        </label>
        <KnownSources id="known-sources-route" />
        <label>
          Source instance
          <input name="sourceInstance" maxLength={64} placeholder="token or key name" />
        </label>
        <label>
          Severity
          <select name="severity" defaultValue="critical">
            <SeverityOptions />
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue="open">
            <option value="open">open</option>
            <option value="closed">closed</option>
          </select>
        </label>
        <label class="wide">
          Title
          <input name="title" required maxLength={1000} defaultValue="Test alert" />
        </label>
        <label>
          Host
          <input name="host" maxLength={1000} />
        </label>
        <label>
          Tags
          <input name="tags" placeholder="cluster-name:prod, team:a" />
        </label>
        <label class="wide">
          Message
          <textarea name="message" rows={2} maxLength={10000} />
        </label>
        <div>
          <button type="submit" disabled={test.isPending}>
            {test.isPending ? 'Working…' : 'Which channels?'}
          </button>
        </div>
      </form>
      {test.error && <ErrorNote error={test.error} what="Dry run failed" />}
      {result && (
        <div class="route-result" role="status">
          <p>
            {result.matchedRoutes.length > 0
              ? `Matched routes: ${result.matchedRoutes.join(', ')}.`
              : 'No route matched; the default channels apply.'}{' '}
            {result.deliveries.length === 0
              ? 'It would reach no channel.'
              : `It would reach ${result.deliveries.length} channel${result.deliveries.length === 1 ? '' : 's'}:`}
          </p>
          {result.deliveries.length > 0 && (
            <ul class="plain">
              {result.deliveries.map((d) => (
                <li key={d.channel} data-channel={d.channel}>
                  <strong>{d.channel}</strong>{' '}
                  <span class="muted">
                    ({d.type}, route {d.route})
                  </span>{' '}
                  → <code class="target">{d.target}</code>
                  <details>
                    <summary>Message</summary>
                    <Json value={d.request} />
                  </details>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
