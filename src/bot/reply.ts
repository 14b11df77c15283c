// What a command answers with, independent of the Teams SDK so handlers are easy to test.
export interface Mention {
  id: string;
  name: string;
}

export type Reply = { kind: 'card'; card: object } | { kind: 'text'; text: string; mentions?: Mention[] };

export const cardReply = (card: object): Reply => ({ kind: 'card', card });
export const textReply = (text: string, mentions?: Mention[]): Reply => (mentions ? { kind: 'text', text, mentions } : { kind: 'text', text });
