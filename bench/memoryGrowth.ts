// pg_rss_ratio_100k_25k (issue 22): how the leader's memory grows with customers on PostgreSQL. The scale run
// of measure 9 (bench/scaleChild.ts: two rounds, the second with an incident at every customer) with the app
// on a fresh PostgreSQL database at 100,000 and at 25,000 customers; the leader's RSS after both rounds at
// the first ÷ at the second. A store that keeps only bounded caches in memory stays near 1; one that holds
// every customer's records grows with them (4x the customers).
// Their figure is memory, not time, so other work may run beside them (bench/run.ts runs the 100,000 run in
// one lane, and the 25,000 run then measure 9's search in another); each app is in a process of its own.
import { postgresServer } from '../test/support/postgres.js';
import { runScale } from './scale.js';
import type { ScaleResult } from './scaleChild.js';
import { round, row, type Row } from './support.js';

export const GROWTH_SMALL = 25_000;
export const GROWTH_LARGE = 100_000;
export const GROWTH_RATIO_TARGET = 1.25;

export interface GrowthFigures {
  small: ScaleResult | null;
  large: ScaleResult | null;
  /** Why a run is missing (PostgreSQL not installed, a run that failed). */
  missing: string | null;
}

/**
 * The two runs on fresh databases of the tests' PostgreSQL server: the larger in one lane, the smaller and
 * then `after` in another. Resolves when both lanes are done; a run that fails is reported, not thrown.
 */
export async function measureGrowth(): Promise<GrowthFigures> {
  let missing: string | null = null;
  const server = await postgresServer().catch((error: unknown) => {
    missing = `PostgreSQL did not start (${(error as Error).message.split('\n')[0]})`;
    return null;
  });
  const run = async (customers: number): Promise<ScaleResult | null> => {
    if (!server) return null;
    try {
      return await runScale(customers, await server.createDatabase());
    } catch (error) {
      missing = (error as Error).message;
      return null;
    }
  };
  const [large, small] = await Promise.all([run(GROWTH_LARGE), run(GROWTH_SMALL)]);
  return { small, large, missing: server ? missing : (missing ?? 'PostgreSQL is not installed') };
}

export const growthRatio = (f: GrowthFigures): number | null => (f.small && f.large ? f.large.rssMb / f.small.rssMb : null);

export function growthRows(f: GrowthFigures): Row[] {
  const title = `leader's RSS after two rounds of ${GROWTH_LARGE} customers ÷ of ${GROWTH_SMALL}, the app on PostgreSQL`;
  const ratio = growthRatio(f);
  if (ratio === null || !f.small || !f.large) return [row(title, `not measured: ${f.missing ?? '?'}`, `<= ${GROWTH_RATIO_TARGET}`)];
  const mb = (r: ScaleResult) => `${round(r.rssMb, 0)} MB (heap after a full GC ${round(r.heapAfterGcMb, 0)} MB; rounds ${r.rounds.map((x) => `${round(x.seconds, 1)} s`).join(' + ')})`;
  return [
    row(title, `${round(ratio, 3)} (${round(f.large.rssMb, 0)} MB / ${round(f.small.rssMb, 0)} MB)`, `<= ${GROWTH_RATIO_TARGET}`, ratio <= GROWTH_RATIO_TARGET),
    row(`  RSS after two rounds of ${GROWTH_LARGE}`, mb(f.large)),
    row(`  baseline: RSS after two rounds of ${GROWTH_SMALL}`, mb(f.small)),
  ];
}
