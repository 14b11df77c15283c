// Issue 22, point 1: the app asks the storage ports (src/store/ports/), not a whole-state object. Every
// `.read()` of a store left outside src/store is listed here with why it is still there; the list only
// shrinks: a new one fails, and so does one listed here that is gone (take it off the list).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '../../scripts/packaging/projectRoot.js';

const root = findProjectRoot(import.meta.url);

const THREADS = 'the card threads (paged by the thread work)';
const DIGEST = "the sources' digest parts, which read the card threads";
const PLANNING = "round planning (sweepPlan.ts and the sources' plan hooks take the State; the directory work)";

/** The whole-state reads still allowed: file, the line's code, and what it reads the State for. */
const ALLOWED: { file: string; code: string; why: string }[] = [
  { file: 'src/engine/digestScheduler.ts', code: 'const state = this.options.store.read();', why: DIGEST },
  { file: 'src/bot/scheduleCommands.ts', code: 'await addDigestReads(loads, services.store, services.store.read(), ctx.target.key, { now: ctx.now, since: since(), batchSources, sources });', why: DIGEST },
  { file: 'src/engine/engine.ts', code: 'let items = roundItems(this.options.store.read(), listing, (id) => this.options.directory.find(id), this.sources, this.options.clock.now(), await this.planFacts(), this.batchList);', why: PLANNING },
  { file: 'src/engine/engine.ts', code: 'if (!wantsListing(this.options.store.read(), this.sources, this.batchList)) return [];', why: PLANNING },
  { file: 'src/engine/engine.ts', code: 'const state = this.options.store.read();', why: PLANNING },
  { file: 'src/engine/fastLane.ts', code: 'const state = store.read();', why: PLANNING },
  { file: 'src/engine/fastLane.ts', code: 'const wanted = fastLaneItems(this.options.store.read(), now, recentMs, this.options.findCustomer, facts, this.options.batchSources);', why: PLANNING },
];

const SNAPSHOTS = 'the snapshots (paged records: load lists)';

/** The changes still written on the whole draft (store.update), by file and how many, and what they touch besides the ports' records. */
const UPDATES: Record<string, { count: number; why: string }> = {
  'src/engine/stages/record.ts': { count: 2, why: THREADS },
  'src/bot/actions/kit.ts': { count: 1, why: THREADS },
  'src/engine/ingest.ts': { count: 1, why: `a sweep batch: ${SNAPSHOTS}, ${THREADS}` },
  'src/engine/engine.ts': { count: 1, why: `a round's end: the sources' round-end and pruning of ${SNAPSHOTS} and ${THREADS}` },
  'src/engine/digestScheduler.ts': { count: 1, why: `${DIGEST}; ${SNAPSHOTS}` },
  'src/bot/watchBook.ts': { count: 2, why: `a watch's baseline: ${SNAPSHOTS}` },
  'src/bot/subscriptionWatches.ts': { count: 1, why: `a watch's baseline: ${SNAPSHOTS}` },
};

/** The records the ports serve: read through them, never off a whole State. */
const PORTED = ['targets', 'watches', 'outbox', 'deliveryLog', 'sweep', 'lastCycle', 'accessDenied', 'accessListing', 'auth', 'tickets', 'ticketCompanies', 'outbound', 'orderCustomers'];

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return tsFilesUnder(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every `.read()` outside src/store that is not a class's own read() (`this.read()`), line by line. */
function wholeStateReads(): { file: string; code: string }[] {
  return tsFilesUnder('src')
    .filter((file) => !file.startsWith('src/store/'))
    .flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => /(?<!\bthis)\.read\(\)/.test(line))
        .map((line) => ({ file, code: line.trim() })),
    );
}

const entry = ({ file, code }: { file: string; code: string }) => `${file}: ${code}`;

describe('whole-state reads outside the store (issue 22, point 1)', () => {
  it('are only the listed ones, each still there: the rest of the app asks the ports', () => {
    const found = wholeStateReads().map(entry).sort();
    assert.ok(found.length > 0, 'the scan found the listed reads (it reads the sources)');
    assert.deepEqual(found, ALLOWED.map(entry).sort());
  });

  it('never reads a ported record off a whole State: not from read(), nor from a view()', () => {
    const ported = new RegExp(`\\.(read|view)\\([^)]*\\)\\)?\\??\\.(${PORTED.join('|')})\\b`);
    const offenders = tsFilesUnder('src')
      .filter((file) => !file.startsWith('src/store/'))
      .flatMap((file) => readFileSync(join(root, file), 'utf8').split('\n').filter((line) => ported.test(line)).map((line) => `${file}: ${line.trim()}`));
    assert.deepEqual(offenders, []);
  });

  it('writes the ports\' records alone through store.transaction: store.update is left only where a change also touches threads or snapshots', () => {
    const found: Record<string, number> = {};
    for (const file of tsFilesUnder('src').filter((name) => !name.startsWith('src/store/'))) {
      const count = readFileSync(join(root, file), 'utf8').match(/store\s*\.update\(/g)?.length ?? 0;
      if (count > 0) found[file] = count;
    }
    assert.deepEqual(found, Object.fromEntries(Object.entries(UPDATES).map(([file, { count }]) => [file, count])));
  });
});
