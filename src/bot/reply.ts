// What a command answers with, independent of the Teams SDK so handlers are easy to test.
export type Reply = { kind: 'card'; card: object } | { kind: 'text'; text: string };

export const cardReply = (card: object): Reply => ({ kind: 'card', card });
export const textReply = (text: string): Reply => ({ kind: 'text', text });
