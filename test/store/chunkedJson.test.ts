import assert from 'node:assert/strict';
import { writeJsonInPieces } from '../../src/store/chunkedJson.js';
import { draftGroup, finished } from '../../src/store/draft.js';
import { emptyState, type State } from '../../src/store/state.js';

async function written(value: Record<string, unknown>): Promise<{ text: string; pieces: number }> {
  const pieces: string[] = [];
  await writeJsonInPieces(value, async (piece) => void pieces.push(piece));
  return { text: pieces.join(''), pieces: pieces.length };
}

describe('writing JSON in pieces', () => {
  it('writes exactly what JSON.stringify writes, for small and large members alike', async () => {
    const big = Object.fromEntries(Array.from({ length: 2_345 }, (_, i) => [`c${i}`, { fetchedAt: `t${i}`, incidents: { [`EX${i}`]: { n: i, text: 'a "quoted" \\n line' } } }]));
    const value = {
      schemaVersion: 1,
      empty: {},
      emptyList: [],
      nothing: null,
      skipped: undefined,
      watches: [{ id: 'w1' }],
      incidentSnapshots: big,
      outbox: Array.from({ length: 1_234 }, (_, i) => ({ id: `d${i}`, note: i % 2 ? null : 'x' })),
      sparse: { a: 1, b: undefined, c: 'ü' },
    };
    const { text, pieces } = await written(value);
    assert.equal(text, JSON.stringify(value));
    assert.ok(pieces > 10, 'large members are split');
  });

  it('writes a group\'s draft as it will be published: large maps entry by entry, written, added and deleted entries included', async () => {
    const state = emptyState();
    for (let i = 0; i < 1_500; i++) state.orderCustomers[`o${i}`] = `c${i}`;
    for (let i = 0; i < 600; i++) state.targets[`t${i}`] = { key: `t${i}`, name: `T${i}` } as unknown as State['targets'][string];
    const { draft } = draftGroup(state, [
      (s) => {
        s.orderCustomers.o3 = 'changed';
        delete s.orderCustomers.o4;
        s.orderCustomers.added = 'new';
        const target = s.targets.t7;
        if (target) target.name = 'Renamed';
        s.watches.push({ id: 'w1' } as unknown as State['watches'][number]);
      },
    ]);
    const before = JSON.stringify(state);
    const { text } = await written(draft as unknown as Record<string, unknown>);
    assert.equal(text, JSON.stringify(finished(draft)));
    assert.match(text, /"o3":"changed"/);
    assert.doesNotMatch(text, /"o4":/);
    assert.match(text, /"name":"Renamed"/);
    assert.equal(JSON.stringify(state), before, 'writing the draft published nothing');
  });

  it('keeps a large record whose last piece is full, and one with skipped entries, valid', async () => {
    const exact = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
    const withHoles = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i % 3 === 0 ? undefined : i]));
    for (const value of [{ exact }, { withHoles }, { first: undefined, exact }]) {
      assert.equal((await written(value)).text, JSON.stringify(value));
    }
  });
});
