import { registerDecorator, ValidationOptions } from 'class-validator';

/** A string's size as PostgreSQL stores it (UTF-8): its indexes and columns limit bytes, not characters. */
export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** A string of at most `max` bytes in UTF-8 (a btree index row holds about 2.7 kB in all). */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxBytes',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options: { message: `must be at most ${max} bytes in UTF-8`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && utf8Bytes(value) <= max },
    });
}
