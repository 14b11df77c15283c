// The layer table of docs/architecture.md, for the subscription source: it imports nothing of the engine
// (its hook is sources/source.ts); what it shares with the engine (the retention, a customer known only from its
// watch, short delivery ids) comes from the domain, which imports nothing but itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot } from '../../../scripts/packaging/projectRoot.js';
import { RETENTION_MS } from '../../../src/domain/retention.js';
import { customerFromWatch } from '../../../src/domain/watchedCustomer.js';

const root = findProjectRoot(import.meta.url);

/** The module specifiers a TypeScript file imports or re-exports. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((match) => match[1] as string);
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).filter((name) => name.endsWith('.ts')).map((name) => join(root, dir, name));
}

describe('layers of the subscription source', () => {
  it('imports nothing of the engine: its hook is sources/source.ts (nor do the other sources and their shared helpers)', () => {
    const files = ['src/sources', 'src/sources/subscriptions', 'src/sources/access'].flatMap(tsFiles);
    assert.ok(files.length > 0);
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        assert.ok(!specifier.includes('/engine/'), `${file} imports ${specifier}`);
      }
    }
  });

  it('finds what it shares with the engine in the domain, which imports only itself (and Node built-ins)', () => {
    for (const file of tsFiles('src/domain')) {
      for (const specifier of importsOf(file)) assert.match(specifier, /^(\.\/[^/]+\.js|node:[a-z_/]+)$/, `${file} imports ${specifier}`);
    }
    assert.equal(RETENTION_MS, 30 * 86_400_000);
    assert.deepEqual(customerFromWatch('c1', 'Contoso'), { id: 'c1', companyName: 'Contoso', domain: '', relationshipToPartner: 'unknown' });
    assert.equal(customerFromWatch('c1', null).companyName, 'c1', 'named by its id when the watch kept no name');
  });

  it('is delivered by an engine that imports no source folder: only the hook (sources/source.ts) and shared helpers', () => {
    const files = ['src/engine', 'src/engine/stages'].flatMap(tsFiles);
    assert.ok(files.some((file) => file.endsWith('deliveryStages.ts')));
    for (const file of files) {
      for (const specifier of importsOf(file)) assert.doesNotMatch(specifier, /\/sources\/[^/]+\//, `${file} imports ${specifier}`);
    }
  });

  it('is kept by a store that knows no source, engine or bot: its stored records are domain types', () => {
    for (const file of [...tsFiles('src/store'), ...tsFiles('src/store/postgres')]) {
      for (const specifier of importsOf(file)) assert.doesNotMatch(specifier, /\/(sources|engine|bot)\//, `${file} imports ${specifier}`);
    }
  });
});
