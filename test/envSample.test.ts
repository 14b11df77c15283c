// .env.sample is the one list of settings: whoever configures the bot should never need to read the source.
import assert from 'node:assert/strict';
import { documentedNames, namesReadByLoadConfig, namesReadInSource } from './support/envNames.js';

describe('.env.sample', () => {
  const documented = documentedNames();

  it('documents every variable that src/config.ts reads', () => {
    const missing = [...namesReadByLoadConfig()].filter((name) => !documented.has(name));
    assert.deepEqual(missing, [], `.env.sample does not document ${missing.join(', ')}, which src/config.ts reads`);
  });

  it('documents every variable read through process.env in src/ and scripts/', () => {
    const { names, dynamic } = namesReadInSource();
    assert.ok(names.size > 0, 'the scan found nothing at all: has the source moved?');
    const missing = [...names].filter(([name]) => !documented.has(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    assert.deepEqual(missing, [], `.env.sample does not document: ${missing.join('; ')}`);
    assert.deepEqual(dynamic, [], 'env[<expression>] cannot be checked: read a literal name, or read it in src/config.ts');
  });

  it('documents nothing that the code does not read', () => {
    const read = new Set([...namesReadByLoadConfig(), ...namesReadInSource().names.keys()]);
    const stale = [...documented].filter((name) => !read.has(name));
    assert.deepEqual(stale, [], `.env.sample documents ${stale.join(', ')}, which nothing reads`);
  });
});
