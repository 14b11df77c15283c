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

  it('reports every problem of a command at once: both times, the window and the zone', () => {
    assert.deepEqual(refusal('quiet hours 25:00-07:00 Mars/Olympus'), {
      message: '“25:00” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30. “Mars/Olympus” is not a time zone I know. Use an IANA name such as Europe/Amsterdam or America/New_York.',
      example: 'quiet hours 20:00-07:00 Europe/Amsterdam',
    });
    const both = refusal('quiet hours 8pm-25:00 Europe/Amsterdm');
    assert.match(both.message, /^“8pm” is not a time of day I know\..* “25:00” is not a time of day I know\..* “Europe\/Amsterdm” is not a time zone I know\. Try Europe\/Amsterdam\.$/);
    assert.equal(both.example, 'quiet hours 20:00-07:00 Europe/Amsterdam');
    assert.deepEqual(refusal('quiet hours 07:00-07:00 Mars/Olympus').message.match(/not a time zone|end different/g), ['end different', 'not a time zone']);
    assert.deepEqual(refusal('digest daily 25:00 Europe/Amsterdm'), {
      message: '“25:00” is not a time of day I know. Use the 24-hour clock, like 08:00 or 20:30. “Europe/Amsterdm” is not a time zone I know. Try Europe/Amsterdam.',
      example: 'digest daily 08:00 Europe/Amsterdam',
    });
    assert.match(refusal('digest weekdays 25:00').message, /^“25:00” is not a time of day I know\..* Name the time zone too, like Europe\/Amsterdam\.$/);
  });

  it('takes the underscore’s look-alike or its markdown escape as an underscore, and never suggests what was typed', () => {
    assert.equal((command('quiet hours 20:00-07:00 America/New＿York') as { timeZone: string }).timeZone, 'America/New_York');
    assert.equal((command('digest daily 08:00 America/New\\_York') as { timeZone: string }).timeZone, 'America/New_York');
    const typo = refusal('digest daily 08:00 America/New_Yrok');
    assert.equal(typo.message, '“America/New_Yrok” is not a time zone I know. Try America/New_York.');
    assert.equal(typo.example, 'digest daily 08:00 America/New_York');
  });

  it('labels them as typed, for the failure log', () => {
    for (const text of ['digest daily 08:00 Europe/Amsterdam', 'digest weekdays 07:30 UTC', 'digest off', 'digest now', 'quiet hours 20:00-07:00 Europe/Amsterdam', 'quiet hours off']) {
      assert.equal(commandLabel(command(text)), text);
    }
  });
});
