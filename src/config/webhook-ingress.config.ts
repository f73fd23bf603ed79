import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsNotEmpty, IsString, Matches, registerDecorator, ValidateNested } from 'class-validator';
import { IsName } from '../common/patterns';
import { SEVERITIES, Severity } from '../domain/notification';

// `ingress.alertmanager` and `ingress.pagerduty` (docs/configuration.md). Validated at boot with the
// rest of the file (config.schema.ts's IngressConfig holds them).

/** A named secret that a sender presents; the name becomes the notification's `sourceInstance`. */
export class IngressKeyConfig {
  @IsName()
  name: string;

  // A bearer credential or a JSON string: no whitespace. PagerDuty's own keys are 32 alphanumerics.
  @Matches(/^\S{16,256}$/, { message: 'must be 16-256 characters without spaces' })
  key: string;
}

/** Neither two names nor two secrets of one list may be the same. */
function UniqueNamesAndKeys(): PropertyDecorator {
  const duplicate = (value: unknown): string | null => {
    if (!Array.isArray(value)) return null;
    for (const field of ['name', 'key'] as const) {
      const seen = new Map<unknown, number>();
      for (const [i, entry] of value.entries()) {
        const v = (entry as Record<string, unknown> | null)?.[field];
        if (v === undefined) continue;
        if (seen.has(v)) return `[${i}] has the same ${field} as [${seen.get(v)}]`;
        seen.set(v, i);
      }
    }
    return null;
  };
  return (target, propertyName) =>
    registerDecorator({
      name: 'uniqueNamesAndKeys',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => duplicate(value) === null,
        defaultMessage: (args) => `names and keys must be unique: ${duplicate(args?.value)}`,
      },
    });
}

/** Severity label value (lower case) -> severity; values it does not name are `unknown`. */
export const ALERTMANAGER_SEVERITIES: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  error: 'critical',
  warning: 'warning',
  info: 'info',
};

function isSeverityMap(value: unknown): value is Record<string, Severity> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => (SEVERITIES as readonly unknown[]).includes(v))
  );
}

function IsSeverityMap(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSeverityMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must map label values to one of ${SEVERITIES.join(', ')}` },
      validator: { validate: isSeverityMap },
    });
}

// The configured entries are added to the defaults, keys in lower case (label values are compared so).
const withDefaultSeverities = ({ value }: { value: unknown }) =>
  isSeverityMap(value)
    ? {
        ...ALERTMANAGER_SEVERITIES,
        ...Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v])),
      }
    : value;

export class AlertmanagerIngressConfig {
  // Authorization: Bearer <key> (http_config.authorization of Alertmanager, Grafana's contact point).
  @IsArray()
  @UniqueNamesAndKeys()
  @ValidateNested({ each: true })
  @Type(() => IngressKeyConfig)
  keys: IngressKeyConfig[] = [];

  // The label whose value is the severity (Prometheus rules conventionally set `severity`).
  @IsString()
  @IsNotEmpty()
  severityLabel: string = 'severity';

  @IsSeverityMap()
  @Transform(withDefaultSeverities)
  severities: Record<string, Severity> = { ...ALERTMANAGER_SEVERITIES };
}

/** PagerDuty's four severities, each mapped to ours; Alertmanager sends `error` unless told otherwise. */
export class PagerDutySeverities {
  @IsIn(SEVERITIES) critical: Severity = 'critical';
  @IsIn(SEVERITIES) error: Severity = 'critical';
  @IsIn(SEVERITIES) warning: Severity = 'warning';
  @IsIn(SEVERITIES) info: Severity = 'info';
}

export class PagerDutyIngressConfig {
  // The `routing_key` of each event (Events API v2 integration keys).
  @IsArray()
  @UniqueNamesAndKeys()
  @ValidateNested({ each: true })
  @Type(() => IngressKeyConfig)
  routingKeys: IngressKeyConfig[] = [];

  @ValidateNested()
  @Type(() => PagerDutySeverities)
  severities: PagerDutySeverities = new PagerDutySeverities();
}
