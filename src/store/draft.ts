// Changes run on a draft, never on the state readers see: both stores publish a group's changes only once
// their write is durable, so delivery, commands and the digest never act on a change that is then lost.
// immer makes the draft copy-on-write: a group costs what it touched (each record it changed, and a shallow
// copy of each collection it changed a record of), not a copy of the whole state.
import { produce, setAutoFreeze } from 'immer';
import { apply, type Applied } from './records.js';
import type { State } from './state.js';

// Published states are not frozen: freezing walks every new record, and the stores replace, never edit them.
setAutoFreeze(false);

/** What a group of changes made: the next state (sharing what they left alone) and each change's outcome. */
export interface Drafted {
  next: State;
  results: Applied[];
}

/**
 * Runs `changes` in order on a draft of `base` (each sees the ones before it), through `view` (the PostgreSQL
 * store tracks what they touch). A change that throws may have changed part of the draft first: then the
 * group runs again from `base` without it, so no half-made change is kept. Throws when a change's outcome
 * differs on the second run (it depends on something outside the state): nothing of the group is kept.
 */
export function draftGroup(base: State, changes: readonly ((draft: State) => unknown)[], view: (draft: State) => State = (draft) => draft): Drafted {
  const first = runOnDraft(base, changes, view);
  if (first.results.every((result) => result.ok)) return first;
  const again = runOnDraft(base, changes.map((change, i) => (first.results[i]?.ok ? change : null)), view);
  const results = again.results.map((result, i) => (first.results[i]?.ok ? result : (first.results[i] as Applied)));
  if (again.results.some((result, i) => first.results[i]?.ok && !result.ok)) {
    throw new Error('a state change failed; nothing of its group was written');
  }
  return { next: again.next, results };
}

function runOnDraft(base: State, changes: readonly (((draft: State) => unknown) | null)[], view: (draft: State) => State): Drafted {
  // The results ride in the produced tree, so a result that holds part of the draft (a record the change
  // returns) comes out as the finished record, not as a draft that is dead once the group is done.
  const produced = produce({ state: base, results: [] as Applied[] }, (root) => {
    const draft = view(root.state as State);
    root.results = changes.map((change) => (change ? apply(change, draft) : { ok: true, value: undefined }));
  });
  return { next: produced.state as State, results: produced.results as Applied[] };
}

/**
 * Makes `next` what readers see, keeping the root object they hold: each collection a group changed is
 * replaced by its new version (readers that hold an older collection keep a consistent, older view).
 */
export function publish(live: State, next: State): void {
  if (live === next) return;
  const target = live as unknown as Record<string, unknown>;
  const source = next as unknown as Record<string, unknown>;
  for (const field of new Set([...Object.keys(target), ...Object.keys(source)])) {
    if (!Object.hasOwn(source, field)) delete target[field];
    else if (target[field] !== source[field]) target[field] = source[field];
  }
}
