import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// pglite-socket 0.2.17 runs every client's protocol messages on PGlite's single session, one message at a
// time, and keeps one client's messages together only while a transaction is open. An extended-protocol
// batch (Parse/Bind/Execute/Sync) outside a transaction is not kept together, so two clients' batches
// interleave and one binds the other's unnamed statement ("unnamed prepared statement does not exist",
// or wrong rows): electric-sql/pglite issue #1046, PR #977, both open. And one failing message leaves the
// queue stopped for good. This replaces the queue's scheduler with one that also keeps a client's batch
// together until its Sync, and goes on after a failure; and it hands PGlite a client's batch in one piece. Remove it once pglite-socket ships the fix.

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
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

// Frontend message types that start or continue an extended-protocol batch, and those that end one.
const BATCH = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
// Of those, the ones held back until the batch's end ('H', Flush, asks for the answers so far).
const HELD = new Set(['P', 'B', 'D', 'E', 'C'].map((c) => c.charCodeAt(0)));
const BATCH_END = new Set(['S', 'Q', 'X'].map((c) => c.charCodeAt(0)));

export function keepProtocolBatchesTogether(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (
    !queue ||
    typeof queue.processQueue !== 'function' ||
    typeof queue.enqueue !== 'function' ||
    !Array.isArray(queue.queue)
  ) {
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
        const type = lastMessageType(item.message);
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

  // The socket handler hands PGlite one message at a time, each a pass through its main loop (and a
  // sync of its files): a batch of many statements (StatementBatch: Parse/Bind/Describe/Execute each)
  // would cost four of them per statement. PGlite runs every message of one buffer in one pass, so a
  // client's batch messages are held back (answered at once: they have no answer of their own until the
  // Sync) and go to PGlite together with the message that ends the batch.
  const held = new Map<number, Uint8Array[]>();
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (handlerId, message, onData) => {
    if (HELD.has(message[0])) {
      const messages = held.get(handlerId);
      if (messages) messages.push(message);
      else held.set(handlerId, [message]);
      return Promise.resolve(0);
    }
    const before = held.get(handlerId);
    if (!before) return enqueue(handlerId, message, onData);
    held.delete(handlerId);
    return enqueue(handlerId, Buffer.concat([...before, message]), onData);
  };

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    held.delete(handlerId);
    clear(handlerId);
    if (batchOwner === handlerId) {
      batchOwner = null;
      void queue.processQueue();
    }
  };
}

/** The type of the last protocol message in `buffer` (a batch held back ends with the one that ended it). */
function lastMessageType(buffer: Uint8Array): number {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  let type = buffer[0];
  // A startup message has no type byte, but it never arrives with others.
  while (offset + 5 <= buffer.length) {
    type = buffer[offset];
    offset += 1 + view.getInt32(offset + 1);
  }
  return type;
}
