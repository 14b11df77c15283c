// The sources' layout (issue 22, point 6): incidents, provisioning, subscriptions and GDAP access each live
// in src/sources/<name>/; the engine and the store import none of them (only the hook sources/source.ts and
// the shared helpers beside it), and only the composition root (src/app.ts) hands them to the engine and
// registers their card threads with delivery.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findProjectRoot } from '../../scripts/packaging/projectRoot.js';

const root = findProjectRoot(import.meta.url);
const SOURCES = ['incidents', 'provisioning', 'subscriptions', 'access'] as const;
/** What the engine and the store may import of src/sources/: the hook and the helpers every source shares. */
const SHARED = ['source.ts', 'threadOutbox.ts', 'notices.ts', 'spread.ts'];

/** Every TypeScript file under `dir`, as paths from the project root. */
function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return tsFilesUnder(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The files (from the project root) a TypeScript file imports or re-exports from this project. */
function importedFiles(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((match) => relative(root, join(root, file, '..', (match[1] as string).replace(/\.js$/, '.ts'))));
}

const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the layout of the alert sources', () => {
  it('keeps each of the four sources in its own folder, with its diff, routing and cards there', () => {
    for (const source of SOURCES) assert.ok(existsSync(join(root, 'src/sources', source, 'index.ts')), `src/sources/${source}/index.ts`);
    for (const file of ['diff.ts', 'routing.ts', 'card.ts', 'alertEvents.ts', 'threadKind.ts', 'threadNote.ts']) {
      assert.ok(existsSync(join(root, 'src/sources/incidents', file)), `src/sources/incidents/${file}`);
    }
    for (const file of ['diff.ts', 'routing.ts', 'card.ts', 'alertEvents.ts']) assert.ok(existsSync(join(root, 'src/sources/provisioning', file)), `src/sources/provisioning/${file}`);
    // Their old places in the engine and the domain are gone, not kept as second copies.
    for (const old of ['src/domain/incidentDiff.ts', 'src/domain/provisioningDiff.ts', 'src/engine/routing.ts', 'src/engine/incidentThreadKind.ts', 'src/engine/alertEvents.ts', 'src/engine/threadNote.ts']) {
      assert.equal(existsSync(join(root, old)), false, `${old} still exists`);
    }
  });

  it('has an engine and a store that import no source folder: only the hook and the shared helpers', () => {
    const files = [...tsFilesUnder('src/engine'), ...tsFilesUnder('src/store')];
    assert.ok(files.includes(join('src', 'engine', 'ingest.ts')) && files.includes(join('src', 'store', 'postgres', 'tables.ts')));
    for (const file of files) {
      for (const imported of importedFiles(file)) {
        if (!imported.startsWith(join('src', 'sources'))) continue;
        assert.ok(SHARED.some((shared) => imported === join('src', 'sources', shared)), `${file} imports ${imported}`);
      }
    }
  });

  it('has an engine that plans, fetches, fast-lanes and counts no item by its kind: every source through its hooks', () => {
    for (const file of tsFilesUnder('src/engine')) {
      const text = read(file);
      assert.doesNotMatch(text, /item\.kind|kind: '(customer|order)'|kind === '(customer|order)'/, `${file} branches on an item's kind`);
      assert.doesNotMatch(text, /client\.(incidents|provisioning)\(/, `${file} fetches a source's data itself`);
    }
    for (const name of ['sweepPlan.ts', 'sweep.ts', 'ingest.ts', 'engine.ts', 'health.ts']) {
      assert.doesNotMatch(read(join('src/engine', name)), /['`][co]\|/, `src/engine/${name} knows a source's item keys`);
    }
    // Incidents and orders plan their own items and fast lane; their refusal notices are theirs too.
    for (const file of ['src/sources/incidents/plan.ts', 'src/sources/incidents/access.ts', 'src/sources/provisioning/plan.ts']) assert.ok(existsSync(join(root, file)), file);
    assert.equal(existsSync(join(root, 'src/engine/accessNotices.ts')), false);
  });

  it('has a digest whose incident and order parts come from their sources, not from the engine', () => {
    // The engine puts the parts together; what an incident card, a snapshot or an order says is the sources'.
    for (const file of ['src/engine/digest.ts', 'src/engine/digestReads.ts']) {
      assert.doesNotMatch(read(file), /incidentSnapshots|orderSnapshots|state\.threads|orderKey|watchCoversIncident/, `${file} reads incidents or orders itself`);
    }
    for (const [source, file] of [['incidents', 'digest.ts'], ['incidents', 'digestReads.ts'], ['provisioning', 'digest.ts']]) {
      assert.ok(existsSync(join(root, 'src/sources', source as string, file as string)), `src/sources/${source}/${file}`);
    }
  });

  it('has incident and provisioning cards rendered in their sources: src/cards.ts imports no source', () => {
    assert.deepEqual(importedFiles('src/cards.ts').filter((file) => file.startsWith(join('src', 'sources'))), []);
    assert.match(read('src/sources/incidents/threadCard.ts'), /export function (incidentAlertCard|threadAlertCard|alertCustomersCard)\(/);
    assert.match(read('src/sources/provisioning/card.ts'), /export function provisioningAlertCard\(/);
  });

  it('has sources that import no engine (their hook is sources/source.ts)', () => {
    for (const file of tsFilesUnder('src/sources')) {
      for (const imported of importedFiles(file)) assert.ok(!imported.startsWith(join('src', 'engine')), `${file} imports ${imported}`);
    }
  });

  it('registers every source, and the card threads of incidents, subscriptions and access, at the composition root only', () => {
    const app = read('src/app.ts');
    for (const source of SOURCES) assert.ok(importedFiles('src/app.ts').includes(join('src', 'sources', source, 'index.ts')), `app.ts registers ${source}`);
    assert.match(app, /sources: \[registerable\(subscriptions\), registerable\(access\)\]/);
    assert.match(app, /batchSources: \{ incidents: incidentSource\(\), provisioning: provisioningSource\(\) \}/);
    const registrations = /\b(incidentSource|provisioningSource|incidentThreadKind|subscriptionThreadKind|accessThreadKind)\(|new AlertEngine\(|new DeliveryPipeline\(/;
    for (const kind of ['incidentThreadKind(', 'subscriptionThreadKind(', 'accessThreadKind(']) assert.ok(app.includes(kind), `app.ts registers ${kind}`);
    for (const file of tsFilesUnder('src')) {
      if (file === join('src', 'app.ts')) continue;
      // A source's own folder defines its factories; nothing else makes them or hands them to the engine.
      const own = SOURCES.some((source) => file.startsWith(join('src', 'sources', source)));
      const text = read(file).replace(/export function \w+\(/g, '');
      if (!own) assert.doesNotMatch(text, registrations, `${file} registers a source or builds the engine`);
    }
  });
});
