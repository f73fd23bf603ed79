import { BlockList, isIP } from 'node:net';
import { registerDecorator, ValidationOptions } from 'class-validator';

// Address lists of the config (`ingress.smtp.allowedClients`, `delivery.egress.deny`,
// `http.trustProxy`): one reading of an address or CIDR block, IPv4 and IPv6.

/** `a.b.c.d/n` or `x:y::z/n`; a bare address means that one host. */
export function isCidr(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

export function IsCidr(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCidr',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'each value must be an IP address or CIDR block like 10.0.0.0/8 or ::1/128', ...options },
      validator: { validate: isCidr },
    });
}

/** A predicate: is this address in one of the blocks? Anything that is not an IP address is not. */
export function cidrMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (address) => {
    // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
