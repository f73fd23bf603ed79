import { Matches, ValidateIf, ValidationOptions } from 'class-validator';

// The shapes of names and addresses, written once: config, API parameters and channels all use these.

/** A configured name (channel, token, key, route, rule) or an external ref's system. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const NAME_RULE = 'must be 1-64 letters, digits, "_", "-" or "."';

/** An e-mail address as an SMTP envelope takes it: no spaces, no angle brackets, one @. */
export const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>]+$/;

/** A phone number in E.164 form (Signal accounts and recipients). */
export const E164_PATTERN = /^\+[1-9][0-9]{5,17}$/;

export function IsName(options?: ValidationOptions): PropertyDecorator {
  return Matches(NAME_PATTERN, { message: NAME_RULE, ...options });
}

export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return Matches(EMAIL_PATTERN, {
    message: options?.each ? 'must be e-mail addresses' : 'must be an e-mail address',
    ...options,
  });
}

export function IsE164(options?: ValidationOptions): PropertyDecorator {
  return Matches(E164_PATTERN, {
    message: options?.each
      ? 'must be phone numbers in E.164 form'
      : 'must be a phone number in E.164 form, e.g. +12025551234',
    ...options,
  });
}

/**
 * An optional field of an API body: it may be left out, but a null is validated like any other value
 * (and refused by the field's rules) where the spec does not allow null. class-validator's IsOptional
 * takes null as absent, and an answer that echoes the field would then carry a null the spec forbids.
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
