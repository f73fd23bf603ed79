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
