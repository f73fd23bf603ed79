import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantOrZero, parseTimestamp } from './timestamps';

const iso = (value: string) => {
  const parsed = parseTimestamp(value);
  return parsed.kind === 'instant' ? parsed.date.toISOString() : parsed.kind;
};

describe('parseTimestamp', () => {
  it('reads the forms senders write: nanoseconds, PagerDuty +0000, offsets with and without colon', () => {
    assert.equal(iso('2026-12-01T23:20:39.785402954Z'), '2026-12-01T23:20:39.785Z');
    assert.equal(iso('2015-07-17T08:42:58.315+0000'), '2015-07-17T08:42:58.315Z');
    assert.equal(iso('2021-10-12T09:51:03.157076+02:00'), '2021-10-12T07:51:03.157Z');
    assert.equal(iso('2014-11-12T11:45:26.371000000Z'), '2014-11-12T11:45:26.371Z');
    assert.equal(iso('2020-01-01T00:00:00-0530'), '2020-01-01T05:30:00.000Z');
    assert.equal(iso('2020-01-01T00:00+01'), '2019-12-31T23:00:00.000Z');
    assert.equal(iso('2016-12-31T23:59:60Z'), '2017-01-01T00:00:00.000Z');
  });

  it('tells a local time without zone apart from nonsense', () => {
    assert.equal(iso('2015-07-17T08:42:58.315'), 'no-zone');
    for (const bad of ['yesterday', '2015-13-01T00:00:00Z', '2015-02-30T00:00:00Z', '2015-07-17', '1437122578', '']) {
      assert.equal(iso(bad), 'invalid', bad);
    }
  });

  it('takes the four-digit years in UTC and nothing an offset carries past them', () => {
    assert.equal(iso('0000-01-01T00:00:00Z'), '0000-01-01T00:00:00.000Z');
    assert.equal(iso('9999-12-31T23:59:59.999Z'), '9999-12-31T23:59:59.999Z');
    assert.equal(iso('0000-01-01T00:00:00+01:00'), 'invalid');
    assert.equal(iso('9999-12-31T23:30:00-01:00'), 'invalid');
  });

  it('takes Go zero time as "not set" and year 1 literally', () => {
    assert.equal(instantOrZero('0001-01-01T00:00:00Z'), null);
    assert.equal(instantOrZero('0001-01-01T00:00:01Z')?.toISOString(), '0001-01-01T00:00:01.000Z');
    assert.equal(instantOrZero('not a time'), undefined);
  });
});
