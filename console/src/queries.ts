import type { Notification } from '@alert-relay/client';
import { useQuery } from '@tanstack/preact-query';
import { unwrap } from './api';
import { useSession } from './session';

export interface NotificationVersion {
  notification: Notification;
  /** Sent back as If-Match, so that an action applies only to the version shown. */
  etag: string | null;
}

/** One notification with its ETag; the detail page and the titles in other lists share this cache entry. */
export function useNotification(id: string) {
  const { client } = useSession();
  return useQuery({
    queryKey: ['notification', id],
    queryFn: async ({ signal }): Promise<NotificationVersion> => {
      const answer = await client.GET('/api/v1/notifications/{id}', { params: { path: { id } }, signal });
      return { notification: unwrap(answer), etag: answer.response.headers.get('etag') };
    },
  });
}

/** One silence; its page, the notifications it holds and the list share this cache entry. */
export function useSilence(id: string) {
  const { client } = useSession();
  return useQuery({
    queryKey: ['silence', id],
    queryFn: async ({ signal }) =>
      unwrap(await client.GET('/api/v1/silences/{id}', { params: { path: { id } }, signal })),
    // A silence's state changes with time (pending → active → expired), not through the change feed.
    refetchInterval: 30_000,
  });
}
