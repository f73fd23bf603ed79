import { followEvents, type FeedEvent } from '@alert-relay/client';
import { useQueryClient } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { describeError, isStatus } from './api';
import { useSession } from './session';

export type LiveState = 'connecting' | 'live' | 'retrying' | 'stopped';

// Changes are gathered this long before the lists are read again: an alert storm costs one reload a
// second, not one per event.
const SETTLE_MS = 300;

/**
 * Follows the change feed from now on (the SDK's follower) and reloads what the changes touch: the
 * lists, and the notifications they name.
 */
export function useLiveUpdates(): LiveState {
  const { client, feedStart, signOut } = useSession();
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const stop = new AbortController();
    const touched = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reload = () => {
      timer = undefined;
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      void queryClient.invalidateQueries({ queryKey: ['deliveries'] });
      for (const id of touched) void queryClient.invalidateQueries({ queryKey: ['notification', id] });
      touched.clear();
    };
    const changed = (event: FeedEvent) => {
      touched.add(event.notificationId);
      timer ??= setTimeout(reload, SETTLE_MS);
    };

    const follow = async () => {
      // Asked before any list was read (session.ts, connect): the lists show everything before this
      // point, the feed everything after it.
      const start = await feedStart;
      if (stop.signal.aborted) return;
      setState('live');
      const events = followEvents(client, {
        after: start,
        waitSeconds: 25,
        signal: stop.signal,
        onRetry: () => setState('retrying'),
        onPage: () => setState('live'),
      });
      for await (const event of events) changed(event);
    };
    follow().catch((error: unknown) => {
      if (stop.signal.aborted) return;
      if (isStatus(error, 401)) signOut(`Signed out: ${describeError(error)}`);
      setState('stopped');
    });
    return () => {
      stop.abort();
      clearTimeout(timer);
    };
  }, [client]);
  return state;
}

const LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  retrying: 'Reconnecting…',
  stopped: 'Not live: reload the page',
};

export function LiveStatus({ state }: { state: LiveState }) {
  return (
    <span class={`live live-${state}`} role="status" data-live={state}>
      {LABELS[state]}
    </span>
  );
}
