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

/**
 * A container's env entries in Bicep, written one per line as `{ name: 'NAME', value: <expr> }` or
 * `{ name: 'NAME', secretRef: '<secret>' }` (the regex below). A Container Apps secret entry names its
 * secret in lower case with hyphens and has keyVaultUrl, not value, so it is not mistaken for one.
 */
const BICEP_ENV = /\{\s*name:\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*,\s*(value|secretRef):\s*(.+?)\s*\}\s*$/gm;
/** A Container Apps secret, one per line: `{ name: '<secret>', keyVaultUrl: '<url>', identity: <id> }` or with `value:`. */
const BICEP_SECRET = /\{\s*name:\s*'([a-z0-9-]+)'\s*,\s*(keyVaultUrl|value):\s*(.+?)\s*\}\s*$/gm;

export function bicepFiles(root: string): { file: string; text: string }[] {
  const dir = path.join(root, 'infra');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.bicep'))
    .map((name) => ({ file: `infra/${name}`, text: readFileSync(path.join(dir, name), 'utf8') }));
}

export function bicepEnv(root: string): BicepEnvEntry[] {
  return bicepFiles(root).flatMap(({ text }) =>
    [...text.matchAll(BICEP_ENV)].map((match) => ({ name: match[1]!, kind: match[2] as BicepEnvEntry['kind'], expression: match[3]! })),
  );
}

export function bicepSecrets(root: string): { name: string; source: 'keyVaultUrl' | 'value'; expression: string }[] {
  return bicepFiles(root).flatMap(({ text }) =>
    [...text.matchAll(BICEP_SECRET)].map((match) => ({ name: match[1]!, source: match[2] as 'keyVaultUrl' | 'value', expression: match[3]! })),
  );
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
