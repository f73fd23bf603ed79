import type { Channel } from '@alert-relay/client';
import { useMutation, useQuery } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { Badge, ErrorNote, OutcomeBadge, TableHead } from '../components/common';
import { useSession } from '../session';
import { Page } from '../shell';
import { RouteTest } from './route-test';

// `disabled` arrives with the hardening issue (a channel switched off after 410 Gone); shown once the API has it.
type ChannelState = Channel & { disabled?: { at: string; reason: string } | null };

export function ChannelsPage() {
  const { client } = useSession();
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: async ({ signal }) => unwrap(await client.GET('/api/v1/channels', { signal })).items as ChannelState[],
    refetchInterval: 15000,
  });
  return (
    <Page title="Channels">
      {channels.error && <ErrorNote error={channels.error} what="Could not load the channels" />}
      {channels.data?.length === 0 && <p class="muted">No channels are configured.</p>}
      {channels.data && channels.data.length > 0 && (
        <table class="list channels">
          <TableHead columns={['Name', 'Type', 'Target', 'Rate limit', 'State', { hidden: 'Test' }]} />
          <tbody>
            {channels.data.map((c) => (
              <tr key={c.name} data-channel={c.name}>
                <th scope="row" data-label="Name">
                  {c.name}
                </th>
                <td data-label="Type">{c.type}</td>
                <td data-label="Target">
                  <code class="target">{c.target}</code>
                </td>
                <td data-label="Rate limit">
                  {c.rateLimit.perSecond}/s, burst {c.rateLimit.burst}
                </td>
                <td data-label="State">
                  <ChannelBadges channel={c} />
                </td>
                <td>
                  <TestButton name={c.name} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RouteTest />
    </Page>
  );
}

function ChannelBadges({ channel: c }: { channel: ChannelState }) {
  return (
    <span class="badges">
      <Badge
        tone={c.circuit === 'closed' ? 'ok' : c.circuit === 'open' ? 'bad' : 'pending'}
        title="This process's circuit breaker: open means sends are held back after repeated failures"
      >
        circuit {c.circuit}
      </Badge>
      {c.disabled && (
        <Badge tone="bad" title={`since ${new Date(c.disabled.at).toLocaleString()}`}>
          disabled: {c.disabled.reason}
        </Badge>
      )}
    </span>
  );
}

/** Sends one test message through the channel now (write scope) and shows what its service answered. */
function TestButton({ name }: { name: string }) {
  const { client, canWrite } = useSession();
  const test = useMutation({
    mutationFn: async () => unwrap(await client.POST('/api/v1/channels/{name}/test', { params: { path: { name } } })),
  });
  if (!canWrite) return null;
  const result = test.data;
  return (
    <div class="channel-test">
      <button
        type="button"
        class="small"
        disabled={test.isPending}
        onClick={() => test.mutate()}
        aria-label={`Test ${name}`}
      >
        {test.isPending ? 'Testing…' : 'Test'}
      </button>
      {result && (
        <p role="status" class="test-result">
          <OutcomeBadge outcome={result.outcome} /> {result.statusCode ?? ''} in {result.durationMs} ms
          {result.error ? `: ${result.error}` : ''}
          {result.response && <code class="answer"> {result.response}</code>}
        </p>
      )}
      {test.error && <ErrorNote error={test.error} what="Test failed" />}
    </div>
  );
}
