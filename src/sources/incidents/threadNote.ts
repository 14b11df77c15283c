// The short thread reply that notifies people of what changed on an incident card (an edit alone notifies
// nobody). Kept as data until it is sent, so changes found by several sweep batches merge into one reply.
import type { IncidentEvent } from './diff.js';
import { clip, toPlainText } from '../../domain/plainText.js';
import type { NameList, NoteParts } from '../../store/state.js';

const NOTE_MESSAGE_CHARS = 280;
const NAMES_IN_NOTE = 5;

const noNames = (): NameList => ({ names: [], total: 0 });

export function emptyNote(): NoteParts {
  return { opened: noNames(), reopened: noNames(), updated: noNames(), changes: [], message: null, resolved: noNames(), vanished: noNames(), allResolved: false };
}

/** Adds one thread's events of a batch to `note` (changing it) and returns it. */
export function addToNote(note: NoteParts, events: readonly IncidentEvent[], customerName: (id: string) => string, allResolved: boolean): NoteParts {
  for (const event of events) {
    const name = customerName(event.customerId);
    if (event.kind === 'opened') addName(event.changes.includes('active again') ? note.reopened : note.opened, name);
    else if (event.kind === 'resolved') addName(event.vanished ? note.vanished : note.resolved, name);
    else {
      addName(event.changes.includes('reopened') ? note.reopened : note.updated, name);
      for (const change of event.changes) {
        if (change !== 'new update' && change !== 'reopened' && !note.changes.includes(change)) note.changes.push(change);
      }
      const message = event.incident.messages.at(-1)?.text;
      // Cut at a sentence, as the card cuts its latest update: the card keeps the whole text.
      if (event.changes.includes('new update') && message) note.message = clip(toPlainText(message), NOTE_MESSAGE_CHARS, 0).head;
    }
  }
  note.allResolved = allResolved;
  return note;
}

/**
 * A short first line per kind of change (who, and what changed), then the update's text in paragraphs of
 * its own: a notification shows the first line, and the thread reads as separate paragraphs, not one block.
 */
export function renderNote(note: NoteParts): string {
  const lines: string[] = [];
  if (note.opened.total > 0) lines.push(`Now also affects ${names(note.opened)}.`);
  if (note.reopened.total > 0) lines.push(`Active again for ${names(note.reopened)}.`);
  if (note.updated.total > 0) {
    const changes = note.changes.length > 0 ? ` (${note.changes.join(', ')})` : '';
    lines.push(`Update for ${names(note.updated)}${changes}${note.message ? ':' : '.'}`);
  }
  const message = note.updated.total > 0 && note.message ? paragraphsOf(note.message) : [];
  const after: string[] = [];
  if (note.resolved.total > 0) after.push(`Resolved for ${names(note.resolved)}.`);
  if (note.vanished.total > 0) after.push(`No longer reported for ${names(note.vanished)}.`);
  if (note.allResolved && (note.resolved.total > 0 || note.vanished.total > 0)) after.push('Every watched customer has recovered.');
  // A blank line makes a paragraph in Teams' markdown; a single line break may be folded into the line.
  return [...lines, ...message, ...after].join('\n\n');
}

/** The update's own lines ("Title: …", "User impact: …"), each a paragraph. */
function paragraphsOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function addName(list: NameList, name: string): void {
  if (list.names.includes(name)) return;
  list.total++;
  if (list.names.length < NAMES_IN_NOTE) list.names.push(name);
}

function names(list: NameList): string {
  const more = list.total - list.names.length;
  return more > 0 ? `${list.names.join(', ')} and ${more} more` : list.names.join(', ');
}
