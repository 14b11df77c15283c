// "Did you mean …?" for a mistyped command word.
import assert from 'node:assert/strict';
import { suggestCommand } from '../../src/domain/commandSuggestion.js';
import { COMMANDS } from '../../src/cardData/help.js';

describe('command suggestions', () => {
  it('corrects a mistyped command word and keeps the rest as typed', () => {
    assert.equal(suggestCommand('stauts for contoso'), 'status for contoso');
    assert.equal(suggestCommand('Stauts for Contoso Electronics'), 'status for Contoso Electronics');
    assert.equal(suggestCommand('hepl'), 'help');
    assert.equal(suggestCommand('subscritpions for fabrikam'), 'subscriptions for fabrikam');
    assert.equal(suggestCommand('wacth contoso severity warning'), 'watch contoso severity warning');
  });

  it('corrects the second word of the two-word commands', () => {
    assert.equal(suggestCommand('poll nwo'), 'poll now');
    assert.equal(suggestCommand('quite hours 20:00-07:00 Europe/Amsterdam'), 'quiet hours 20:00-07:00 Europe/Amsterdam');
    assert.equal(suggestCommand('quiet horus off'), 'quiet hours off');
  });

  it('suggests only a command the grammar accepts: "watchs" alone means "watches", not "watch"', () => {
    assert.equal(suggestCommand('watchs'), 'watches');
  });

  it('suggests nothing for text that is no near miss, for very short words, or for what was typed', () => {
    assert.equal(suggestCommand('make coffee'), null);
    assert.equal(suggestCommand('hi'), null);
    assert.equal(suggestCommand('poll later'), null);
    assert.equal(suggestCommand('watches please'), null);
    assert.equal(suggestCommand(''), null);
  });
});

describe('command suggestions: orders', () => {
  it('corrects a near miss of "orders"', () => {
    assert.equal(suggestCommand('ordres for contoso'), 'orders for contoso');
    assert.equal(suggestCommand('order for contoso'), 'orders for contoso');
  });
});

describe('command suggestions: every command the help card lists', () => {
  /** "status for contoso" → "sattus for contoso": two letters of the first word swapped, one slip. */
  const slip = (example: string): string => {
    const [word = '', ...rest] = example.split(' ');
    return [word[0] + (word[2] ?? '') + (word[1] ?? '') + word.slice(3), ...rest].join(' ');
  };

  it('corrects a slip in the first word of each, so a new command cannot be left out of "Did you mean"', () => {
    for (const { example } of COMMANDS) {
      const mistyped = slip(example);
      if (mistyped === example) continue; // a doubled letter: nothing to swap
      assert.equal(suggestCommand(mistyped), example, `"${mistyped}" should suggest "${example}"`);
    }
  });
});
