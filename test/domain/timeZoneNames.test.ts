import assert from 'node:assert/strict';
import { resolveTimeZone, suggestTimeZone } from '../../src/domain/timeZoneNames.js';

describe('time-zone names', () => {
  it('knows IANA zones by their canonical name, whatever the case, with spaces for underscores', () => {
    assert.deepEqual(resolveTimeZone('Europe/Amsterdam'), { ok: true, zone: 'Europe/Amsterdam' });
    assert.deepEqual(resolveTimeZone('europe/amsterdam'), { ok: true, zone: 'Europe/Amsterdam' });
    assert.deepEqual(resolveTimeZone('America/New York'), { ok: true, zone: 'America/New_York' });
    assert.deepEqual(resolveTimeZone('utc'), { ok: true, zone: 'UTC' });
  });

  it('refuses offsets and unknown names, suggesting the nearest zone when there is one', () => {
    assert.deepEqual(resolveTimeZone('Europe/Amsterdm'), { ok: false, suggestion: 'Europe/Amsterdam' });
    assert.deepEqual(resolveTimeZone('Amsterdam'), { ok: false, suggestion: 'Europe/Amsterdam' });
    assert.deepEqual(resolveTimeZone('America/Los_Angles'), { ok: false, suggestion: 'America/Los_Angeles' });
    assert.equal(resolveTimeZone('+01:00').ok, false);
    assert.equal(resolveTimeZone('CET+1').ok, false);
    assert.deepEqual(resolveTimeZone('Mars/Olympus_Mons'), { ok: false, suggestion: null });
    assert.equal(suggestTimeZone(''), null);
  });
});
