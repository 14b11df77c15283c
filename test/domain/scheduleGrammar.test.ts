// The grammar of "digest …" and "quiet hours …", and the sentences it answers a wrong time or zone with.
import assert from 'node:assert/strict';
import { commandLabel } from '../../src/bot/failureLog.js';
import { parseCommand, type Command } from '../../src/domain/commands.js';

function command(text: string): Command {
  const result = parseCommand(text);
  assert.ok(result.ok, `expected "${text}" to parse, got: ${result.ok ? '' : result.message}`);
  return result.command;
}

function refusal(text: string): { message: string; example?: string } {
  const result = parseCommand(text);
  assert.ok(!result.ok, `expected "${text}" to be refused`);
  assert.equal(result.reason, 'invalid');
  return { message: result.message, example: result.example };
}

describe('digest and quiet-hours grammar', () => {
  it('reads a daily or weekday digest at a time of a zone, "digest off" and "digest now"', () => {
    assert.deepEqual(command('digest daily 08:00 Europe/Amsterdam'), { kind: 'digest', action: 'set', days: 'daily', time: '08:00', timeZone: 'Europe/Amsterdam' });
    assert.deepEqual(command('Digest weekdays at 7:30 america/new_york'), { kind: 'digest', action: 'set', days: 'weekdays', time: '07:30', timeZone: 'America/New_York' });
    assert.deepEqual(command('digest 08:00 UTC'), { kind: 'digest', action: 'set', days: 'daily', time: '08:00', timeZone: 'UTC' });
    assert.deepEqual(command('digest off'), { kind: 'digest', action: 'off' });
    assert.deepEqual(command('digest now.'), { kind: 'digest', action: 'now' });
  });

  it('reads quiet hours across midnight, with a dash, an en dash or "to", and "quiet hours off"', () => {
    const expected = { kind: 'quietHours', action: 'set', start: '20:00', end: '07:00', timeZone: 'Europe/Amsterdam' };
    assert.deepEqual(command('quiet hours 20:00-07:00 Europe/Amsterdam'), expected);
    assert.deepEqual(command('quiet hours 20:00 – 07:00 Europe/Amsterdam'), expected);
    assert.deepEqual(command('quiet hours 20:00 to 7:00 europe/amsterdam'), expected);
    assert.deepEqual(command('quiet 20:00-07:00 Europe/Amsterdam'), expected);
    assert.deepEqual(command('quiet hours off'), { kind: 'quietHours', action: 'off' });
  });

  it('names an unknown zone and suggests the nearest one, with the command to type', () => {
    assert.deepEqual(refusal('digest daily 08:00 Europe/Amsterdm'), {
      message: '“Europe/Amsterdm” is not a time zone I know. Try Europe/Amsterdam.',
      example: 'digest daily 08:00 Europe/Amsterdam',
    });
    assert.deepEqual(refusal('quiet hours 20:00-07:00 Amsterdam'), {
      message: '“Amsterdam” is not a time zone I know. Try Europe/Amsterdam.',
      example: 'quiet hours 20:00-07:00 Europe/Amsterdam',
    });
    assert.match(refusal('digest daily 08:00 +01:00').message, /^“\+01:00” is not a time zone I know\. Use an IANA name such as Europe\/Amsterdam/);
  });

  it('names a time that is not one, a missing zone and an empty window', () => {
    assert.equal(refusal('digest daily 25:00 Europe/Amsterdam').message, '“25:00” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30.');
    assert.equal(refusal('quiet hours 8pm-07:00 Europe/Amsterdam').message, '“8pm” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30.');
    assert.deepEqual(refusal('digest weekdays 08:00'), { message: 'In which time zone? Name it like Europe/Amsterdam:', example: 'digest weekdays 08:00 Europe/Amsterdam' });
    assert.match(refusal('quiet hours 07:00-07:00 UTC').message, /end different from their start/);
    assert.match(refusal('quiet hours').message, /start and an end/);
    assert.match(refusal('digest').message, /When should the digest come/);
  });

  it('labels them as typed, for the failure log', () => {
    for (const text of ['digest daily 08:00 Europe/Amsterdam', 'digest weekdays 07:30 UTC', 'digest off', 'digest now', 'quiet hours 20:00-07:00 Europe/Amsterdam', 'quiet hours off']) {
      assert.equal(commandLabel(command(text)), text);
    }
  });
});
