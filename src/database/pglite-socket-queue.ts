import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// pglite-socket 0.2.17 runs every client's protocol messages on PGlite's single session, one message at a
// time, and keeps one client's messages together only while a transaction is open. An extended-protocol
// batch (Parse/Bind/Execute/Sync) outside a transaction is not kept together, so two clients' batches
// interleave and one binds the other's unnamed statement ("unnamed prepared statement does not exist",
// or wrong rows): electric-sql/pglite issue #1046, PR #977, both open. And one failing message leaves the
// queue stopped for good. This replaces the queue's scheduler with one that also keeps a client's batch
// together until its Sync, and goes on after a failure. Remove it once pglite-socket ships the fix.

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

// Frontend message types that start or continue an extended-protocol batch, and those that end one.
const BATCH = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const BATCH_END = new Set(['S', 'Q', 'X'].map((c) => c.charCodeAt(0)));

export function keepProtocolBatchesTogether(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket changed its internals; review src/database/pglite-socket-queue.ts');
  }
  let batchOwner: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = batchOwner ?? (db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        // The owner's next message has not arrived yet: its enqueue runs this again.
        if (index === -1) return;
        const [item] = this.queue.splice(index, 1);
        const type = item.message[0];
        if (BATCH.has(type)) batchOwner = item.handlerId;
        else if (BATCH_END.has(type)) batchOwner = null;
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          batchOwner = null;
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    if (batchOwner === handlerId) {
      batchOwner = null;
      void queue.processQueue();
    }
  };
}
