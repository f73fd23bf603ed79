import { lookup as dnsLookup, LookupAddress, LookupAllOptions } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { cidrMatcher } from '../../common/cidr';
import { DEFAULT_EGRESS_DENY, EgressConfig } from '../../config/delivery.config';

/** A channel's destination resolved to an address `delivery.egress` denies. */
export class EgressDeniedError extends Error {
  readonly code = 'EEGRESSDENIED';

  constructor(host: string, address: string) {
    super(`${host === address ? address : `${host} (${address})`} is denied by delivery.egress`);
  }
}

/**
 * `delivery.egress`: channels connect only to addresses outside the denied blocks (link-local and
 * cloud metadata by default). Checked on the address actually connected to, after DNS, so a name
 * that resolves (or is re-pointed) to a metadata address is refused too (docs/production.md).
 */
export class EgressGuard {
  private readonly denied: (address: string) => boolean;
  private readonly allowed: (address: string) => boolean;
  /** The HTTP channels' dispatcher (httpPost): every connection goes through the checked lookup. */
  readonly dispatcher: Agent;

  constructor(config: Pick<EgressConfig, 'deny' | 'allow'> = { deny: [], allow: [] }) {
    this.denied = cidrMatcher([...DEFAULT_EGRESS_DENY, ...config.deny]);
    this.allowed = cidrMatcher(config.allow);
    this.dispatcher = new Agent({ connect: { lookup: this.lookup } });
  }

  /** Connections still open end with the app (keep-alive sockets would hold a test process open). */
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.destroy();
  }

  isDenied(address: string): boolean {
    return this.denied(address) && !this.allowed(address);
  }

  /** Throws when `host` is an IP address the guard denies (a literal never reaches `lookup`). */
  checkLiteral(host: string): void {
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare) !== 0 && this.isDenied(bare)) throw new EgressDeniedError(bare, bare);
  }

  /** The first address of `host` the guard allows (for clients that take an address: nodemailer). */
  async resolve(host: string): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare) !== 0) {
      this.checkLiteral(bare);
      return bare;
    }
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(bare, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
    const usable = addresses.find((a) => !this.isDenied(a.address));
    if (!usable) throw new EgressDeniedError(bare, addresses[0]?.address ?? bare);
    return usable.address;
  }

  /** `net.connect`'s lookup, refusing denied addresses (with `all`, it drops them while others remain). */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const usable = addresses.filter((a) => !this.isDenied(a.address));
      if (usable.length === 0) {
        return callback(new EgressDeniedError(hostname, addresses[0]?.address ?? hostname), '', 0);
      }
      if ((options as LookupAllOptions).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      } else {
        callback(null, usable[0].address, usable[0].family);
      }
    });
  };
}

let sharedDefault: EgressGuard | undefined;

/** For senders built outside Nest (unit tests): the default guard (link-local and metadata denied). */
export function defaultEgress(): EgressGuard {
  return (sharedDefault ??= new EgressGuard());
}
