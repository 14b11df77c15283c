// The settings the deployment templates give the bot, read from the files themselves: the Azure template
// (infra/*.bicep), compose.yaml (and its production override), and the Dockerfile's runtime ENV.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type CollectionTag } from 'yaml';
import { environment, parseDockerfile } from './dockerfile.js';

export interface BicepEnvEntry {
  name: string;
  kind: 'value' | 'secretRef';
  /** The Bicep expression after `value:` or `secretRef:`, as written (a quoted literal keeps its quotes). */
  expression: string;
}

export interface BicepSecret {
  name: string;
  source: 'keyVaultUrl' | 'value';
  /** The expression after `keyVaultUrl:` or `value:`, as written. */
  expression: string;
  /** The expression after `identity:` (a Key Vault reference's), or null. */
  identity: string | null;
}

export function bicepFiles(root: string): { file: string; text: string }[] {
  const dir = path.join(root, 'infra');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.bicep'))
    .map((name) => ({ file: `infra/${name}`, text: readFileSync(path.join(dir, name), 'utf8') }));
}

/**
 * Every entry of every container's `env: [ … ]` list, each `{ name: 'NAME', value: <expr> }` or
 * `{ name: 'NAME', secretRef: '<secret>' }`, on one line or several. Anything else in such a list (a `for`,
 * a spread, a variable, an entry with other properties) throws, naming the file and line: an entry the scan
 * skipped would be a setting the tests never judge.
 */
export function bicepEnv(root: string): BicepEnvEntry[] {
  return bicepFiles(root).flatMap(({ file, text }) =>
    bicepListItems(file, text, 'env').map((item) => {
      const properties = bicepProperties(file, item);
      const name = /^'([A-Za-z_][A-Za-z0-9_]*)'$/.exec(properties.get('name') ?? '')?.[1];
      const kind = (['value', 'secretRef'] as const).find((key) => properties.has(key));
      if (!name || !kind || properties.size !== 2) throw unreadable(file, item, 'an env entry', "a quoted variable name and either value or secretRef, nothing else");
      return { name, kind, expression: properties.get(kind)! };
    }),
  );
}

/** Every Container Apps secret (`secrets: [ … ]`): `{ name, keyVaultUrl, identity }` or `{ name, value }`, read as bicepEnv reads env. */
export function bicepSecrets(root: string): BicepSecret[] {
  return bicepFiles(root).flatMap(({ file, text }) =>
    bicepListItems(file, text, 'secrets').map((item) => {
      const properties = bicepProperties(file, item);
      const name = /^'([a-z0-9-]+)'$/.exec(properties.get('name') ?? '')?.[1];
      const keys = [...properties.keys()].sort().join(' ');
      if (!name || (keys !== 'identity keyVaultUrl name' && keys !== 'name value')) {
        throw unreadable(file, item, 'a Container Apps secret', 'a quoted lower-case name and either keyVaultUrl with identity, or value');
      }
      const source = properties.has('keyVaultUrl') ? 'keyVaultUrl' : 'value';
      return { name, source, expression: properties.get(source)!, identity: properties.get('identity') ?? null };
    }),
  );
}

/** An object of a Bicep list: the text between its braces, and the line of its `{`. */
interface BicepItem {
  text: string;
  line: number;
}

function unreadable(file: string, item: BicepItem, what: string, expected: string): Error {
  return new Error(`${file} line ${item.line}: ${what} the template test cannot read ({${item.text.replace(/\s+/g, ' ')}}); write it with ${expected}.`);
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/**
 * Where the Bicep string, comment or bracketed group opening at `start` ends (the index after it), or
 * `start` when none opens there. Brackets nest and strings (with their `${…}` holes) are skipped, so a brace
 * or comma inside a string or a call never ends anything.
 */
function atomEnd(text: string, start: number): number {
  // A multi-line string: no escapes and no interpolation inside.
  if (text.startsWith("'''", start)) return closeAt(text, text.indexOf("'''", start + 3), 3);
  if (text[start] === "'") {
    let at = start + 1;
    while (at < text.length && text[at] !== "'") {
      if (text[at] === '\\') at += 2;
      else if (text.startsWith('${', at)) at = atomEnd(text, at + 1);
      else at += 1;
    }
    return at + 1;
  }
  if (text.startsWith('//', start)) return closeAt(text, text.indexOf('\n', start), 0);
  if (text.startsWith('/*', start)) return closeAt(text, text.indexOf('*/', start + 2), 2);
  const close = ({ '[': ']', '{': '}', '(': ')' } as Record<string, string>)[text[start]!];
  if (!close) return start;
  let at = start + 1;
  while (at < text.length && text[at] !== close) at = Math.max(atomEnd(text, at), at + 1);
  return at + 1;
}

const closeAt = (text: string, found: number, length: number): number => (found < 0 ? text.length : found + length);
const isComment = (text: string, at: number): boolean => text.startsWith('//', at) || text.startsWith('/*', at);

/** The `{ … }` items of every `key: [ … ]` list of a file; anything else there throws (see bicepEnv). */
function bicepListItems(file: string, text: string, key: string): BicepItem[] {
  const items: BicepItem[] = [];
  for (const match of text.matchAll(new RegExp(`^[ \\t]*${key}:[ \\t]*`, 'gm'))) {
    const open = match.index + match[0].length;
    if (text[open] !== '[') {
      throw new Error(`${file} line ${lineAt(text, open)}: ${key} is not a list the template test can read (${text.slice(open).split('\n')[0]}); write its entries out as [ { … } ].`);
    }
    const end = atomEnd(text, open) - 1;
    let at = open + 1;
    while (at < end) {
      if (/[\s,]/.test(text[at]!)) at += 1;
      else if (isComment(text, at)) at = atomEnd(text, at);
      else if (text[at] === '{') {
        const after = atomEnd(text, at);
        items.push({ text: text.slice(at + 1, after - 1), line: lineAt(text, at) });
        at = after;
      } else {
        throw new Error(`${file} line ${lineAt(text, at)}: the ${key} list holds something the template test cannot read (${text.slice(at).split('\n')[0]!.trim()}); write each entry out as { … }.`);
      }
    }
  }
  return items;
}

/** An object's properties (`key: expression`, separated by commas or line breaks), comments left out. */
function bicepProperties(file: string, item: BicepItem): Map<string, string> {
  const parts: string[] = [];
  let part = '';
  for (let at = 0; at < item.text.length;) {
    if (item.text[at] === ',' || item.text[at] === '\n') {
      parts.push(part);
      part = '';
      at += 1;
      continue;
    }
    const end = Math.max(atomEnd(item.text, at), at + 1);
    if (!isComment(item.text, at)) part += item.text.slice(at, end);
    at = end;
  }
  parts.push(part);
  const properties = new Map<string, string>();
  for (const text of parts.map((candidate) => candidate.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([\s\S]+)$/.exec(text);
    if (!match || properties.has(match[1]!)) throw unreadable(file, item, 'an object', 'one `key: value` per property');
    properties.set(match[1]!, match[2]!.trim());
  }
  return properties;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number | null> | string[];
  env_file?: string | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: unknown };
  ports?: string[];
  volumes?: string[];
}

export function readCompose(root: string, file: string): { services: Record<string, ComposeService> } {
  // `!override` is compose's own merge tag (on a list here); its value is all that matters.
  const override: CollectionTag = { tag: '!override', collection: 'seq', resolve: (seq) => seq };
  return parse(readFileSync(path.join(root, file), 'utf8'), { merge: true, customTags: [override] }) as { services: Record<string, ComposeService> };
}

/** compose's `environment`, as a map (its list form `NAME=value` too). */
export function composeEnvironment(service: ComposeService): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : String(value)] as const);
  return Object.fromEntries(entries);
}

/** The services that run this project's image: the bot instances. */
export function botServices(compose: { services: Record<string, ComposeService> }): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
}

export function dockerfileEnvironment(root: string): Record<string, string> {
  const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  return environment(stages.at(-1)!);
}

/** compose's variable interpolation as `docker compose up` does it with nothing set: `${NAME:-default}` → default. */
export function interpolate(value: string, variables: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => variables[name] || fallback || '');
}
