import assert from 'node:assert/strict';
import { writeJsonInPieces } from '../../src/store/chunkedJson.js';

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

  it('keeps a large record whose last piece is full, and one with skipped entries, valid', async () => {
    const exact = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i]));
    const withHoles = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i % 3 === 0 ? undefined : i]));
    for (const value of [{ exact }, { withHoles }, { first: undefined, exact }]) {
      assert.equal((await written(value)).text, JSON.stringify(value));
    }
  });
});
