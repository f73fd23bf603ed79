import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  IsObject,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Schemas, MonascaAlarm, MonascaMetric } from '../../common/api-types';
import { IsStringMap, IsStringOrInteger, MAX_EPOCH_MS } from '../common/validators';
import { MaxBytes } from '../../common/max-bytes';
import { MAX_EXTERNAL_ID_BYTES } from '../../domain/alert-signal';

// Mirrors components.schemas.MonascaAlarm in openapi/openapi.yaml: the body built by monasca-notification's
// plugins/webhook_notifier.py (wire-formats.md §2.3).

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

  @IsStringMap()
  dimensions: Record<string, string>;
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

  @IsInt()
  @Min(0)
  @Max(Math.floor(MAX_EPOCH_MS / 1000))
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
