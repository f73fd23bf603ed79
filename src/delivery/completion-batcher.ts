import { DeliveryStatus } from './delivery.entity';
import { AttemptRecord, ClaimedDelivery } from './delivery.repository';

type Item = { delivery: ClaimedDelivery; attempt: AttemptRecord };
type Waiter = { resolve: (status: DeliveryStatus | null) => void; reject: (error: unknown) => void };

/**
 * Group commit for attempt results: while one write is running, results that come in queue up and
 * go out together in the next one. Idle, a result is written at once (no added latency).
 */
export class CompletionBatcher {
  private queue: (Item & Waiter)[] = [];
  private running = false;

  constructor(
    private readonly write: (items: Item[]) => Promise<Map<string, DeliveryStatus>>,
    private readonly maxBatch = 100,
  ) {}

  complete(delivery: ClaimedDelivery, attempt: AttemptRecord): Promise<DeliveryStatus | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ delivery, attempt, resolve, reject });
      if (!this.running) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const statuses = await this.writeWithRetry(batch);
        for (const item of batch) item.resolve(statuses.get(item.delivery.id) ?? null);
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.running = false;
  }

  // A result not recorded means a second send after the lease runs out: worth two more tries
  // (a dropped pooled connection, a restarted database).
  private async writeWithRetry(batch: Item[]): Promise<Map<string, DeliveryStatus>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.write(batch);
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}
