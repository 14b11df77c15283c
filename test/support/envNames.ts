// The names of settings, as .env.sample documents them and as the code reads them: shared by the test of
// .env.sample and the test of the deployment templates (Dockerfile, compose, Bicep), so both judge alike.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { findProjectRoot } from '../../scripts/packaging/projectRoot.js';

const root = findProjectRoot(import.meta.url);

/** Names assigned in .env.sample (`NAME=` at the start of a line; an empty value means the default). */
export function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(join(root, '.env.sample'), 'utf8').split(/\r?\n/)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/** Every key loadConfig looks up, however it looks it up, in the sandbox and with every credential set. */
export function namesReadByLoadConfig(): Set<string> {
  const names = new Set<string>();
  const full = {
    MicrosoftAppId: 'app',
    MicrosoftAppPassword: 'pw',
    MicrosoftAppTenantId: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
    PARTNER_CENTER_CLIENT_ID: 'client',
    PARTNER_CENTER_CLIENT_SECRET: 'secret',
    PARTNER_CENTER_REFRESH_TOKEN: 'refresh',
  };
  for (const env of [{}, full] as Record<string, string | undefined>[]) {
    const recording = new Proxy(env, {
      get(target, key) {
        if (typeof key === 'string') names.add(key);
        return Reflect.get(target, key);
      },
    });
    loadConfig(recording);
  }
  return names;
}

const LITERAL_READS = [
  /process\.env\.([A-Za-z_]\w*)/g,
  /process\.env\[\s*['"`]([A-Za-z_]\w*)['"`]\s*\]/g,
  // An env object handed down, as scripts/packaging's options.env; `delete env.X` clears the Playground's own.
  /(?<!delete\s+)\benv\.([A-Za-z_]\w*)/g,
  /\benv\[\s*['"`]([A-Za-z_]\w*)['"`]\s*\]/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Names read through process.env (or an env object) anywhere in src/ and scripts/, each with its files. */
export function namesReadInSource(): { names: Map<string, string[]>; dynamic: string[] } {
  const names = new Map<string, string[]>();
  const dynamic: string[] = [];
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'scripts'))]) {
    const text = readFileSync(file, 'utf8');
    const where = relative(root, file);
    for (const pattern of LITERAL_READS) {
      for (const match of text.matchAll(pattern)) {
        const name = match[1]!;
        if (name === 'env') continue; // options.env.env is not a thing; "process.env" itself is
        names.set(name, [...new Set([...(names.get(name) ?? []), where])]);
      }
    }
    // A computed name cannot be checked here (config.ts's is, through loadConfig); setting or deleting one is no read.
    if (where !== join('src', 'config.ts') && /(?<!delete\s+)\benv\[(?!\s*['"`])[^\]]*\](?!\s*=[^=])/.test(text)) dynamic.push(where);
  }
  return { names, dynamic };
}
