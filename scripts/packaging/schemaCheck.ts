// Validates a manifest against the official Teams JSON schema of its manifestVersion, as shipped in
// @microsoft/app-manifest (whose AppManifestUtils runs ajv with the draft-04 dialect those schemas use).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { isObject, pointer, type Json, type Violation } from './violations.js';

const require = createRequire(import.meta.url);

/** The installed schema file for a manifestVersion such as "1.30" or "devPreview". */
export function schemaPath(manifestVersion: string): string {
  if (!/^(\d+\.\d+|devPreview)$/.test(manifestVersion)) throw new Error(`"${manifestVersion}" is not a manifest version`);
  return require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`);
}

export async function checkSchema(manifest: Json): Promise<Violation[]> {
  const version = isObject(manifest) ? manifest['manifestVersion'] : undefined;
  if (typeof version !== 'string') return [{ path: '/manifestVersion', message: 'is required (for example "1.30")' }];
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(schemaPath(version), 'utf8'));
  } catch {
    return [{ path: '/manifestVersion', message: `@microsoft/app-manifest has no schema for manifest version "${version}"` }];
  }
  const errors = await AppManifestUtils.validateAgainstSchema(manifest as never, schema as never);
  return dedupe(errors.map(toViolation));
}

/**
 * AppManifestUtils reports ajv errors as "<instancePath> <message>. Details: <params as JSON>".
 * Missing and unexpected properties are moved to the property's own path.
 */
export function toViolation(error: string): Violation {
  const match = /^(\S*) ([\s\S]*?)\. Details: ([\s\S]*)$/.exec(error);
  if (!match) return { path: '', message: error };
  const [, path = '', message = '', details = ''] = match;
  let params: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(details);
    if (isObject(parsed)) params = parsed;
  } catch {
    // Details are only a refinement; keep the message as it is.
  }
  if (typeof params['missingProperty'] === 'string') return { path: pointer(path, params['missingProperty']), message: 'is required' };
  if (typeof params['additionalProperty'] === 'string') {
    return { path: pointer(path, params['additionalProperty']), message: 'is not a property the schema allows here' };
  }
  if (Array.isArray(params['allowedValues'])) {
    return { path, message: `must be one of ${params['allowedValues'].map((value) => JSON.stringify(value)).join(', ')}` };
  }
  return { path, message };
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((violation) => {
    const key = `${violation.path}\n${violation.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
