import type { Channel } from '@alert-relay/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { unwrap } from '../api';
import { Link } from 'wouter-preact';
import { Badge, ErrorNote, OutcomeBadge, TableHead, Time } from '../components/common';
import { useSession } from '../session';
import { Page } from '../shell';
import { exactTime } from '../time-format';
import { RouteTest } from './route-test';

export function ChannelsPage() {
  const { client } = useSession();
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: async ({ signal }) => unwrap(await client.GET('/api/v1/channels', { signal })).items,
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
                  {c.disabled && <EnableButton name={c.name} />}
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

function ChannelBadges({ channel: c }: { channel: Channel }) {
  return (
    <span class="badges">
      <Badge
        tone={c.circuit === 'closed' ? 'ok' : c.circuit === 'open' ? 'bad' : 'pending'}
        title="This process's circuit breaker: open means sends are held back after repeated failures"
      >
        circuit {c.circuit}
      </Badge>
      {c.disabled && (
        <>
          <Badge tone="bad" title={`since ${exactTime(c.disabled.at)}`}>
            disabled: {c.disabled.reason}
          </Badge>
          <span class="muted">
            since <Time at={c.disabled.at} /> ·{' '}
            <Link to={`/deliveries?status=dead&channel=${encodeURIComponent(c.name)}`}>its dead letters</Link>
          </span>
        </>
      )}
    </span>
  );
}

/**
 * Enables a channel a 410 Gone disabled (write scope), for every replica. Its dead letters stay dead
 * until retried from the deliveries page.
 */
function EnableButton({ name }: { name: string }) {
  const { client, canWrite } = useSession();
  const queryClient = useQueryClient();
  const enable = useMutation({
    mutationFn: async () => unwrap(await client.POST('/api/v1/channels/{name}/enable', { params: { path: { name } } })),
    onSuccess: (channel) =>
      queryClient.setQueryData<Channel[]>(['channels'], (list) => list?.map((c) => (c.name === name ? channel : c))),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  if (!canWrite) return null;
  return (
    <div class="channel-enable">
      <button
        type="button"
        class="small"
        disabled={enable.isPending}
        onClick={() => enable.mutate()}
        aria-label={`Enable ${name}`}
      >
        {enable.isPending ? 'Enabling…' : 'Enable'}
      </button>
      {enable.error && <ErrorNote error={enable.error} what="Enable failed" />}
    </div>
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
