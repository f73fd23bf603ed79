import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  IsObject,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Schemas, MonascaAlarm, MonascaMetric } from '../../common/api-types';
import { IsStringMap, IsStringOrInteger } from '../common/validators';
import { MaxBytes } from '../../common/max-bytes';
import { MAX_EXTERNAL_ID_BYTES } from '../../domain/alert-signal';

// Mirrors components.schemas.MonascaAlarm in openapi/openapi.yaml: the body built by monasca-notification's
// plugins/webhook_notifier.py since release 1.2.2 (docs/sources.md, "Monasca").

/** Epoch seconds below 10^11: anything larger looks like milliseconds (docs/sources.md, "Monasca"). */
export const MAX_MONASCA_SECONDS = 99_999_999_999;

const STATES = ['ALARM', 'OK', 'UNDETERMINED'] as const;
type MonascaState = Schemas['MonascaState'];

export class MonascaMetricDto implements MonascaMetric {
  // The upstream test fixture sends metrics with only `dimensions`.
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsString()
  id?: string | null;

  // A nullable map in monasca-common's Java model: null means no dimensions.
  @ValidateIf((_o, value) => value !== null)
  @IsStringMap()
  dimensions: Record<string, string> | null;
}

export class MonascaAlarmDto implements MonascaAlarm {
  @IsString()
  @IsNotEmpty()
  @MaxBytes(MAX_EXTERNAL_ID_BYTES)
  alarm_id: string;

  @IsStringOrInteger()
  alarm_definition_id: string | number;

  @IsString()
  alarm_name: string;

  // Never seen null, but the producer's field is a nullable Java String.
  @ValidateIf((_o, value) => value !== null)
  @IsString()
  alarm_description: string | null;

  // Integer seconds from every release; a Python 3 build of 1.2.2-1.9.0 sent fractional seconds.
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_MONASCA_SECONDS, {
    message: 'must be epoch seconds below 10^11 (this looks like milliseconds; Monasca sends seconds)',
  })
  alarm_timestamp: number;

  @IsIn(STATES)
  state: MonascaState;

  @IsIn(STATES)
  old_state: MonascaState;

  @IsString()
  message: string;

  @IsString()
  tenant_id: string;

  @IsArray()
  @IsObject({ each: true, message: 'must be an array of objects' })
  @ValidateNested({ each: true })
  @Type(() => MonascaMetricDto)
  metrics: MonascaMetricDto[];
}
