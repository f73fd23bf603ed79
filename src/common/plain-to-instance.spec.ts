import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance as classTransformer } from 'class-transformer';
import fc from 'fast-check';
import * as monasca from '../ingress/monasca/monasca.dto';
import * as stackstate from '../ingress/stackstate/stackstate.dto';
import { DTOS, dtoValues as values, SHAPES } from '../../test/support/dto-samples';
import { conversions, plainToInstance } from './plain-to-instance';

describe('plainToInstance', () => {
  it(`gives what class-transformer gives, for every DTO of the API and the webhooks (${DTOS.length})`, () => {
    assert.ok(DTOS.length > 20, `only ${DTOS.length} DTO classes found`);
    fc.assert(
      fc.property(fc.constantFrom(...DTOS), values, (dto, value) => {
        let expected: unknown;
        try {
          expected = classTransformer(dto, value);
        } catch (error) {
          assert.throws(() => plainToInstance(dto, value), { message: (error as Error).message });
          return;
        }
        assert.deepStrictEqual(plainToInstance(dto, value), expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('converts the shapes the webhooks send, nested classes and @Transform included', () => {
    const before = conversions.byClassTransformer;
    for (const dto of DTOS) {
      for (const shape of SHAPES) assert.deepStrictEqual(plainToInstance(dto, shape), classTransformer(dto, shape));
    }
    assert.equal(conversions.byClassTransformer, before, 'none of them left to class-transformer');
    const envelope = plainToInstance(stackstate.StackStateEnvelopeDto, SHAPES[0]);
    assert.ok(envelope.event instanceof stackstate.StackStateOpenEventDto);
    assert.ok(envelope.monitor instanceof stackstate.StackStateMonitorDto);
    const alarm = plainToInstance(monasca.MonascaAlarmDto, SHAPES[3]);
    assert.ok(alarm.metrics[0] instanceof monasca.MonascaMetricDto);
  });
});
