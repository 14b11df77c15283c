import assert from 'node:assert/strict';
import {
  dateKey,
  latestOccurrence,
  localParts,
  localToInstant,
  nextOccurrence,
  offsetMinutes,
  parseClockTime,
  weekdayOf,
  windowAt,
  type ClockTime,
} from '../../src/domain/localTime.js';

const AMS = 'Europe/Amsterdam';
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = (text: string): ClockTime => {
  const time = parseClockTime(text);
  assert.ok(time, text);
  return time;
};
const window = (instant: string, start: string, end: string, zone = AMS) => {
  const found = windowAt(at(instant), clock(start), clock(end), zone);
  return found && { start: iso(found.start), end: iso(found.end) };
};

describe('local time: reading times', () => {
  it('reads 24-hour times and refuses anything else', () => {
    assert.deepEqual(parseClockTime('08:00'), { hour: 8, minute: 0 });
    assert.deepEqual(parseClockTime('8:05'), { hour: 8, minute: 5 });
    assert.deepEqual(parseClockTime('2030'), { hour: 20, minute: 30 });
    assert.deepEqual(parseClockTime('7.30'), { hour: 7, minute: 30 });
    assert.deepEqual(parseClockTime('00:00'), { hour: 0, minute: 0 });
    for (const bad of ['24:00', '08:60', '8', '8am', '08:00:00', '', 'noon', '-1:00']) assert.equal(parseClockTime(bad), null, bad);
  });
});

describe('local time: wall clock ↔ UTC', () => {
  it('reads an instant as the wall clock of a zone, with its weekday and offset', () => {
    assert.deepEqual(localParts(at('2026-03-02T07:00:00Z'), AMS), { year: 2026, month: 3, day: 2, hour: 8, minute: 0, second: 0, weekday: 1 });
    assert.equal(offsetMinutes(at('2026-01-15T12:00:00Z'), AMS), 60);
    assert.equal(offsetMinutes(at('2026-07-15T12:00:00Z'), AMS), 120);
    assert.equal(offsetMinutes(at('2026-07-15T12:00:00Z'), 'Asia/Kolkata'), 330);
    assert.equal(offsetMinutes(at('2026-07-15T12:00:00Z'), 'America/New_York'), -240);
    assert.equal(weekdayOf({ year: 2026, month: 3, day: 29 }), 7);
  });

  it('turns a wall time into UTC in winter and in summer', () => {
    assert.equal(iso(localToInstant({ year: 2026, month: 1, day: 15 }, clock('08:00'), AMS)), '2026-01-15T07:00:00.000Z');
    assert.equal(iso(localToInstant({ year: 2026, month: 7, day: 15 }, clock('08:00'), AMS)), '2026-07-15T06:00:00.000Z');
    assert.equal(iso(localToInstant({ year: 2026, month: 7, day: 15 }, clock('08:00'), 'America/New_York')), '2026-07-15T12:00:00.000Z');
  });

  it('reads a time skipped in spring as the jump past it (02:30 on 29 March in Amsterdam → 03:00)', () => {
    const skipped = localToInstant({ year: 2026, month: 3, day: 29 }, clock('02:30'), AMS);
    assert.equal(iso(skipped), '2026-03-29T01:00:00.000Z');
    assert.deepEqual([localParts(skipped, AMS).hour, localParts(skipped, AMS).minute], [3, 0]);
    assert.equal(iso(localToInstant({ year: 2026, month: 3, day: 29 }, clock('03:00'), AMS)), '2026-03-29T01:00:00.000Z');
    // In Sydney the clocks go forward on 4 October 2026 at 02:00 (16:00 UTC the day before).
    assert.equal(iso(localToInstant({ year: 2026, month: 10, day: 4 }, clock('02:15'), 'Australia/Sydney')), '2026-10-03T16:00:00.000Z');
    // Lord Howe Island moves its clocks by half an hour.
    assert.equal(iso(localToInstant({ year: 2026, month: 10, day: 4 }, clock('02:10'), 'Australia/Lord_Howe')), '2026-10-03T15:30:00.000Z');
  });

  it('takes the first of a time repeated in autumn (02:30 on 25 October in Amsterdam happens twice)', () => {
    assert.equal(iso(localToInstant({ year: 2026, month: 10, day: 25 }, clock('02:30'), AMS)), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(localToInstant({ year: 2026, month: 11, day: 1 }, clock('01:30'), 'America/New_York')), '2026-11-01T05:30:00.000Z');
  });
});

describe('local time: schedules', () => {
  it('finds 08:00 in Amsterdam on both sides of the spring change: 07:00 UTC before, 06:00 UTC after', () => {
    const friday = latestOccurrence(at('2026-03-27T09:00:00Z'), clock('08:00'), AMS);
    assert.deepEqual([iso(friday.at), friday.localDate], ['2026-03-27T07:00:00.000Z', '2026-03-27']);
    const sunday = nextOccurrence(at('2026-03-28T07:00:00Z'), clock('08:00'), AMS);
    assert.deepEqual([iso(sunday.at), sunday.localDate], ['2026-03-29T06:00:00.000Z', '2026-03-29']);
    // 05:59 UTC on Sunday is 07:59 local: the latest 08:00 is still Saturday's.
    assert.equal(latestOccurrence(at('2026-03-29T05:59:00Z'), clock('08:00'), AMS).localDate, '2026-03-28');
    assert.equal(latestOccurrence(at('2026-03-29T06:00:00Z'), clock('08:00'), AMS).localDate, '2026-03-29');
  });

  it('and on both sides of the autumn change', () => {
    assert.equal(iso(nextOccurrence(at('2026-10-24T12:00:00Z'), clock('08:00'), AMS).at), '2026-10-25T07:00:00.000Z');
    assert.equal(iso(nextOccurrence(at('2026-10-23T12:00:00Z'), clock('08:00'), AMS).at), '2026-10-24T06:00:00.000Z');
  });

  it('skips Saturday and Sunday on weekdays only', () => {
    const afterFriday = nextOccurrence(at('2026-03-27T09:00:00Z'), clock('08:00'), AMS, 'weekdays');
    assert.equal(afterFriday.localDate, '2026-03-30');
    assert.equal(iso(afterFriday.at), '2026-03-30T06:00:00.000Z');
    assert.equal(latestOccurrence(at('2026-03-29T12:00:00Z'), clock('08:00'), AMS, 'weekdays').localDate, '2026-03-27');
  });

  it('uses the local date of the zone, not of UTC', () => {
    // 23:30 UTC on 1 March is already 2 March in Tokyo.
    const tokyo = latestOccurrence(at('2026-03-01T23:30:00Z'), clock('08:00'), 'Asia/Tokyo');
    assert.equal(tokyo.localDate, '2026-03-02');
    assert.equal(dateKey(localParts(tokyo.at, 'Asia/Tokyo')), '2026-03-02');
  });
});

describe('local time: quiet windows', () => {
  it('runs across midnight: from 20:00 to 07:00 the next morning, start included, end excluded', () => {
    const night = { start: '2026-01-14T19:00:00.000Z', end: '2026-01-15T06:00:00.000Z' };
    assert.deepEqual(window('2026-01-14T19:00:00Z', '20:00', '07:00'), night);
    assert.deepEqual(window('2026-01-14T22:30:00Z', '20:00', '07:00'), night, '23:30 local');
    assert.deepEqual(window('2026-01-15T02:00:00Z', '20:00', '07:00'), night, '03:00 local');
    assert.equal(window('2026-01-15T06:00:00Z', '20:00', '07:00'), null, '07:00 local: over');
    assert.equal(window('2026-01-15T11:00:00Z', '20:00', '07:00'), null, 'noon');
    assert.equal(window('2026-01-14T18:59:00Z', '20:00', '07:00'), null, '19:59');
  });

  it('works within one day too, and a window of no length is never open', () => {
    assert.deepEqual(window('2026-01-15T10:00:00Z', '09:00', '17:00'), { start: '2026-01-15T08:00:00.000Z', end: '2026-01-15T16:00:00.000Z' });
    assert.equal(window('2026-01-15T16:00:00Z', '09:00', '17:00'), null);
    assert.equal(window('2026-01-15T10:00:00Z', '09:00', '09:00'), null);
  });

  it('is an hour shorter across the spring-forward night and an hour longer across the autumn one', () => {
    const spring = window('2026-03-29T00:00:00Z', '20:00', '07:00');
    assert.deepEqual(spring, { start: '2026-03-28T19:00:00.000Z', end: '2026-03-29T05:00:00.000Z' });
    const autumn = window('2026-10-25T00:00:00Z', '20:00', '07:00');
    assert.deepEqual(autumn, { start: '2026-10-24T18:00:00.000Z', end: '2026-10-25T06:00:00.000Z' });
    assert.equal(Date.parse(spring!.end) - Date.parse(spring!.start), 10 * 3_600_000);
    assert.equal(Date.parse(autumn!.end) - Date.parse(autumn!.start), 12 * 3_600_000);
  });

  it('ends at the first 02:30 when autumn repeats the hour, and does not open again in the repeat', () => {
    assert.deepEqual(window('2026-10-25T00:15:00Z', '22:00', '02:30'), { start: '2026-10-24T20:00:00.000Z', end: '2026-10-25T00:30:00.000Z' });
    assert.equal(window('2026-10-25T01:15:00Z', '22:00', '02:30'), null, '02:15 the second time');
  });

  it('stays open through the whole autumn repeat when it starts inside the repeated hour (Amsterdam)', () => {
    // 02:30–06:00 on 25 October: the clock shows 02:00–02:59 twice (00:00–01:00 UTC, then 01:00–02:00 UTC).
    const night = { start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T05:00:00.000Z' };
    assert.equal(window('2026-10-25T00:20:00Z', '02:30', '06:00'), null, 'the first 02:20: not yet');
    assert.deepEqual(window('2026-10-25T00:50:00Z', '02:30', '06:00'), night, 'the first 02:50');
    assert.deepEqual(window('2026-10-25T01:10:00Z', '02:30', '06:00'), night, 'the second 02:10: still quiet');
    assert.deepEqual(window('2026-10-25T01:40:00Z', '02:30', '06:00'), night, 'the second 02:40');
    assert.deepEqual(window('2026-10-25T04:59:00Z', '02:30', '06:00'), night, '05:59 winter time');
    assert.equal(window('2026-10-25T05:00:00Z', '02:30', '06:00'), null, '06:00 winter time: over');
    // Across midnight, starting in the repeat: 02:15–01:00 opens at the first 02:15 and the second 02:05 is inside.
    assert.deepEqual(window('2026-10-25T01:05:00Z', '02:15', '01:00'), { start: '2026-10-25T00:15:00.000Z', end: '2026-10-26T00:00:00.000Z' });
  });

  it('and on the spring night: an hour shorter, open from the jump', () => {
    const night = { start: '2026-03-29T01:00:00.000Z', end: '2026-03-29T04:00:00.000Z' };
    assert.deepEqual(window('2026-03-29T03:59:00Z', '02:30', '06:00'), night, '05:59 summer time');
    assert.equal(window('2026-03-29T04:00:00Z', '02:30', '06:00'), null, '06:00 summer time: over');
    // Ending in the skipped hour: over when the clock jumps to 03:00.
    assert.deepEqual(window('2026-03-29T00:59:00Z', '22:00', '02:30'), { start: '2026-03-28T21:00:00.000Z', end: '2026-03-29T01:00:00.000Z' });
    assert.equal(window('2026-03-29T01:00:00Z', '22:00', '02:30'), null, '03:00 summer time');
  });

  it('in a southern zone too: Sydney repeats 02:00–03:00 on 5 April and skips it on 4 October 2026', () => {
    const SYD = 'Australia/Sydney';
    // Autumn: 03:00 AEDT (UTC+11) becomes 02:00 AEST (UTC+10) at 16:00 UTC on 4 April.
    const autumn = { start: '2026-04-04T15:30:00.000Z', end: '2026-04-04T20:00:00.000Z' };
    assert.equal(window('2026-04-04T15:20:00Z', '02:30', '06:00', SYD), null, 'the first 02:20');
    assert.deepEqual(window('2026-04-04T15:50:00Z', '02:30', '06:00', SYD), autumn, 'the first 02:50');
    assert.deepEqual(window('2026-04-04T16:10:00Z', '02:30', '06:00', SYD), autumn, 'the second 02:10');
    assert.equal(window('2026-04-04T20:00:00Z', '02:30', '06:00', SYD), null, '06:00 AEST');
    // Spring: 02:00 AEST jumps to 03:00 AEDT at 16:00 UTC on 3 October.
    const spring = { start: '2026-10-03T16:00:00.000Z', end: '2026-10-03T19:00:00.000Z' };
    assert.equal(window('2026-10-03T15:59:00Z', '02:30', '06:00', SYD), null, '01:59 AEST');
    assert.deepEqual(window('2026-10-03T16:00:00Z', '02:30', '06:00', SYD), spring, '03:00 AEDT');
    assert.equal(window('2026-10-03T19:00:00Z', '02:30', '06:00', SYD), null, '06:00 AEDT');
    // Across midnight over the autumn night: 20:00–07:00 lasts 12 hours.
    assert.deepEqual(window('2026-04-04T18:00:00Z', '20:00', '07:00', SYD), { start: '2026-04-04T09:00:00.000Z', end: '2026-04-04T21:00:00.000Z' });
  });

  it('starts when the clock jumps past a start time that spring skips', () => {
    // 02:30 does not exist on 29 March: the window opens when the clock jumps from 02:00 to 03:00.
    assert.equal(window('2026-03-29T00:59:00Z', '02:30', '06:00'), null, '01:59 local');
    assert.deepEqual(window('2026-03-29T01:15:00Z', '02:30', '06:00'), { start: '2026-03-29T01:00:00.000Z', end: '2026-03-29T04:00:00.000Z' });
  });
});
