// Template + environment → checked manifest → build/partner-alerts.zip. No side effects but the zip itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillTemplate } from './manifestFill.js';
import { checkManifest } from './manifestCheck.js';
import type { Json, Violation } from './violations.js';
import { writeZip } from './zip.js';

export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';
/** What a trial package shows for the publisher's pages when they are allowed to be missing. */
export const PLACEHOLDER_URLS = { PRIVACY_URL: 'https://example.com/privacy', TERMS_URL: 'https://example.com/terms', WEBSITE_URL: 'https://example.com' } as const;
/** What a trial package names as its publisher when DEVELOPER_NAME is allowed to be missing. */
export const PLACEHOLDER_DEVELOPER_NAME = 'Partner Alerts (trial)';
/** Teams shows the publisher's name on the app's page; its schema allows 32 characters. */
export const MAX_DEVELOPER_NAME = 32;
export const ZIP_NAME = 'partner-alerts.zip';

export interface PackageOptions {
  /** The project root: manifest/ and package.json live here. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Without MicrosoftAppId, use PLACEHOLDER_APP_ID (with a warning) instead of failing. */
  allowPlaceholderId?: boolean;
  /**
   * Without PRIVACY_URL, TERMS_URL or WEBSITE_URL (or with an example.com one), or without DEVELOPER_NAME, use
   * PLACEHOLDER_URLS and PLACEHOLDER_DEVELOPER_NAME (with a warning) instead of failing.
   */
  allowPlaceholderUrls?: boolean;
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
  // The operator's own pages: Teams shows them to every user who installs the app, so a placeholder is refused.
  // Read by literal name, so test/envSample.test.ts sees them.
  const privacyUrl = publicUrl('PRIVACY_URL', options.env['PRIVACY_URL'], '/developer/privacyUrl', 'privacy statement', options, violations, warnings);
  const termsUrl = publicUrl('TERMS_URL', options.env['TERMS_URL'], '/developer/termsOfUseUrl', 'terms of use', options, violations, warnings);
  const websiteUrl = publicUrl('WEBSITE_URL', options.env['WEBSITE_URL'], '/developer/websiteUrl', 'website', options, violations, warnings);
  const developerName = publisherName(options.env['DEVELOPER_NAME'], options, violations, warnings);
  const filled = fillTemplate(template, {
    MICROSOFT_APP_ID: appId,
    VERSION: typeof packageJson.version === 'string' ? packageJson.version : undefined,
    BOT_DOMAIN: botDomain(options.env['BOT_DOMAIN']),
    PRIVACY_URL: privacyUrl,
    TERMS_URL: termsUrl,
    WEBSITE_URL: websiteUrl,
    DEVELOPER_NAME: developerName,
  });
  return { manifest: filled.manifest, violations: [...violations, ...filled.violations], warnings };
}

/**
 * PRIVACY_URL or TERMS_URL: an https URL that is not a placeholder (unset, or on example.com/.org/.net or
 * localhost). A placeholder is a violation unless allowPlaceholderUrls; a malformed URL always is. A refused
 * value is replaced by the placeholder so the schema does not report the same path twice.
 */
function publicUrl(
  name: keyof typeof PLACEHOLDER_URLS,
  raw: string | undefined,
  path: string,
  what: string,
  options: PackageOptions,
  violations: Violation[],
  warnings: string[],
): string {
  const value = raw?.trim() ?? '';
  const placeholder = PLACEHOLDER_URLS[name];
  let url: URL | null = null;
  try {
    url = value === '' ? null : new URL(value);
  } catch {
    url = null;
  }
  if (value !== '' && url?.protocol !== 'https:') {
    violations.push({ path, message: `${name} "${value}" is not an https:// URL: set it to the address of your ${what}` });
    return placeholder;
  }
  if (url !== null && !isPlaceholderHost(url.hostname)) return value;
  const problem = value === '' ? `${name} is not set (environment or .env)` : `${name} "${value}" is a placeholder`;
  if (options.allowPlaceholderUrls) {
    warnings.push(`${problem}: using ${value || placeholder}. Publish your ${what} and set ${name} before rolling the app out.`);
    return value || placeholder;
  }
  violations.push({ path, message: `${problem}: set it to the https:// address of your ${what}, or pass --allow-placeholder-urls for a trial package` });
  return placeholder;
}

/**
 * DEVELOPER_NAME: the partner's name, shown on the app's page as its publisher. Missing is a violation unless
 * allowPlaceholderUrls (a trial package); too long always is.
 */
function publisherName(raw: string | undefined, options: PackageOptions, violations: Violation[], warnings: string[]): string {
  const value = raw?.trim() ?? '';
  const path = '/developer/name';
  if (value.length > MAX_DEVELOPER_NAME) {
    violations.push({ path, message: `DEVELOPER_NAME "${value}" has ${value.length} characters; Teams allows at most ${MAX_DEVELOPER_NAME}: shorten it` });
    return PLACEHOLDER_DEVELOPER_NAME;
  }
  if (value !== '') return value;
  if (options.allowPlaceholderUrls) {
    warnings.push(`DEVELOPER_NAME is not set (environment or .env): using "${PLACEHOLDER_DEVELOPER_NAME}". Set it to your company's name before rolling the app out.`);
    return PLACEHOLDER_DEVELOPER_NAME;
  }
  violations.push({ path, message: "DEVELOPER_NAME is not set (environment or .env): set it to your company's name, or pass --allow-placeholder-urls for a trial package" });
  return PLACEHOLDER_DEVELOPER_NAME;
}

function isPlaceholderHost(host: string): boolean {
  const lower = host.toLowerCase();
  return lower === 'localhost' || ['example.com', 'example.org', 'example.net'].some((domain) => lower === domain || lower.endsWith(`.${domain}`));
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
