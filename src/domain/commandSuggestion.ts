// "Did you mean …?" for a message that is no command: a near miss of a command word ("stauts for contoso"
// → "status for contoso"), offered only when the corrected text is a command the grammar accepts.
import { parseCommand } from './commands.js';
import { typoDistance } from './editDistance.js';

/** The words a command starts with; "poll" and "quiet" need their second word too. */
const COMMAND_WORDS = ['help', 'customers', 'status', 'subscriptions', 'orders', 'provisioning', 'watch', 'unwatch', 'exclude', 'watches', 'poll', 'digest', 'quiet', 'tickets', 'ticket'];
const SECOND_WORDS: Readonly<Record<string, readonly string[]>> = { poll: ['now'], quiet: ['hours'] };

/** Slips a word of this length may hold: none in a word of up to 3 letters ("hi" is not "help"), one up to 5, two beyond. */
function allowedEdits(word: string): number {
  return word.length <= 3 ? 0 : word.length <= 5 ? 1 : 2;
}

/** The words of `words` within the allowed edits of `typed`, nearest first; only itself when it is one. */
function nearWords(typed: string, words: readonly string[], leastAllowed = 0): string[] {
  const lower = typed.toLowerCase();
  if (words.includes(lower)) return [lower];
  return words
    .map((word) => ({ word, distance: typoDistance(lower, word) }))
    .filter(({ distance }) => distance <= Math.max(leastAllowed, allowedEdits(lower)))
    .sort((a, b) => a.distance - b.distance)
    .map(({ word }) => word);
}

/** The command the user most likely meant, as they would type it, or null when nothing is near enough. */
export function suggestCommand(input: string): string | null {
  const words = input.trim().split(/\s+/).filter(Boolean);
  const [first = '', second = '', ...rest] = words;
  const typed = words.join(' ').toLowerCase();
  for (const verb of nearWords(first, COMMAND_WORDS)) {
    const seconds = SECOND_WORDS[verb];
    // After the right first word, one slip in the second ("poll nwo") cannot mean anything else.
    for (const next of seconds ? nearWords(second, seconds, 1) : [second]) {
      const suggestion = [verb, next, ...rest].filter(Boolean).join(' ');
      // Never offer back what was typed, nor a correction the grammar would refuse in turn
      // ("watchs" is as near to "watch" as to "watches", and only "watches" stands alone).
      if (suggestion.toLowerCase() !== typed && parseCommand(suggestion).ok) return suggestion;
    }
  }
  return null;
}
