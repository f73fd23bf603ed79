import { Injectable, Type } from '@nestjs/common';
import { validateAs } from '../common/validation';
import { AlertSignal } from '../domain/alert-signal';

/** How one source's raw payload becomes a signal; each ingress registers its own. */
export interface SignalSource<T extends object = object> {
  /** The field of `POST /api/v1/routes/test` that carries this source's payload (`stackstate`, `monasca`). */
  key: string;
  /** The ingress's request DTO, which validates the payload as the ingress endpoint would. */
  dto: Type<T>;
  toSignal(payload: T, raw: unknown, sourceInstance: string): AlertSignal;
}

/**
 * The ingresses' mappings from raw payload to signal, registered by each ingress module at start, for
 * what wants to see what a payload would become without sending it (the route dry run). Kept here, below
 * the ingresses and the API, so neither imports the other.
 */
@Injectable()
export class SignalPreviews {
  private readonly sources = new Map<string, SignalSource>();

  register<T extends object>(source: SignalSource<T>): void {
    this.sources.set(source.key, source);
  }

  keys(): string[] {
    return [...this.sources.keys()];
  }

  /** Validates `raw` with the source's DTO (400 naming `<key>.<field>`), then maps it. */
  toSignal(key: string, raw: unknown, sourceInstance: string): AlertSignal {
    const source = this.sources.get(key);
    if (!source) throw new Error(`no ingress registered a signal source named "${key}"`);
    return source.toSignal(validateAs(source.dto, raw, key), raw, sourceInstance);
  }
}
