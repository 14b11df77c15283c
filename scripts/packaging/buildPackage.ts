// Template + environment → checked manifest → build/partner-alerts.zip. No side effects but the zip itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillTemplate } from './manifestFill.js';
import { checkManifest } from './manifestCheck.js';
import type { Json, Violation } from './violations.js';
import { writeZip } from './zip.js';

export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';
export const ZIP_NAME = 'partner-alerts.zip';

export interface PackageOptions {
  /** The project root: manifest/ and package.json live here. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Without MicrosoftAppId, use PLACEHOLDER_APP_ID (with a warning) instead of failing. */
  allowPlaceholderId?: boolean;
  /** Where the zip goes; default <root>/build. */
  outDir?: string;
}

export interface PreparedManifest {
  manifest: Json;
  violations: Violation[];
  warnings: string[];
}

export type PackageResult =
  | { ok: true; zipPath: string; size: number; entries: string[]; manifest: Json; warnings: string[] }
  | { ok: false; violations: Violation[]; warnings: string[] };

/** Fills manifest/manifest.template.json from package.json and the environment. */
export function prepareManifest(options: PackageOptions): PreparedManifest {
  const violations: Violation[] = [];
  const warnings: string[] = [];
  let appId = options.env['MicrosoftAppId']?.trim() ?? '';
  if (appId === '') {
    if (options.allowPlaceholderId) {
      warnings.push(`MicrosoftAppId is not set: using the placeholder ${PLACEHOLDER_APP_ID}. Teams will not reach a bot with this package.`);
    } else {
      violations.push({
        path: '/bots/0/botId',
        message: "MicrosoftAppId is not set (environment or .env): set it to the Azure Bot's Microsoft App ID, or pass --allow-placeholder-id for a trial package",
      });
    }
    appId = PLACEHOLDER_APP_ID;
  }
  const packageJson = JSON.parse(readFileSync(join(options.root, 'package.json'), 'utf8')) as { version?: unknown };
  const template = JSON.parse(readFileSync(join(options.root, 'manifest', 'manifest.template.json'), 'utf8')) as Json;
  const filled = fillTemplate(template, {
    MICROSOFT_APP_ID: appId,
    VERSION: typeof packageJson.version === 'string' ? packageJson.version : undefined,
    BOT_DOMAIN: botDomain(options.env['BOT_DOMAIN']),
  });
  return { manifest: filled.manifest, violations: [...violations, ...filled.violations], warnings };
}

/** "https://bot.contoso.com/api/messages" and "bot.contoso.com" both give "bot.contoso.com"; unset gives "". */
export function botDomain(value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (!trimmed.includes('://')) return trimmed.replace(/\/+$/, '');
  try {
    return new URL(trimmed).hostname;
  } catch {
    return trimmed;
  }
}

export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const prepared = prepareManifest(options);
  const checked = await checkManifest(prepared.manifest, join(options.root, 'manifest'));
  const violations = [...prepared.violations, ...checked.violations];
  if (violations.length > 0) return { ok: false, violations, warnings: prepared.warnings };

  const entries = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(prepared.manifest, null, 2)}\n`, 'utf8') },
    ...checked.icons,
  ];
  const zip = writeZip(entries);
  const outDir = options.outDir ?? join(options.root, 'build');
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, ZIP_NAME);
  writeFileSync(zipPath, zip);
  return {
    ok: true,
    zipPath,
    size: zip.length,
    entries: entries.map((entry) => entry.name),
    manifest: prepared.manifest,
    warnings: prepared.warnings,
  };
}
