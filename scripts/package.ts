// npm run package: builds the Teams app package (build/partner-alerts.zip) from manifest/ and .env.
// Options: --allow-placeholder-id (no MicrosoftAppId needed), --allow-placeholder-urls (no PRIVACY_URL,
// TERMS_URL, WEBSITE_URL or DEVELOPER_NAME needed), --out <dir> (default build/). Both --allow options are for
// trial packages only.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildPackage } from './packaging/buildPackage.js';
import { findProjectRoot } from './packaging/projectRoot.js';
import { formatViolation } from './packaging/violations.js';

const USAGE = 'Usage: node dist/scripts/package.js [--allow-placeholder-id] [--allow-placeholder-urls] [--out <dir>]';

interface Args {
  allowPlaceholderId: boolean;
  allowPlaceholderUrls: boolean;
  outDir?: string;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { allowPlaceholderId: false, allowPlaceholderUrls: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--allow-placeholder-id') args.allowPlaceholderId = true;
    else if (arg === '--allow-placeholder-urls') args.allowPlaceholderUrls = true;
    else if (arg === '--out' && argv[i + 1]) args.outDir = resolve(argv[++i]!);
    else return `Unknown or incomplete option "${arg}".\n${USAGE}`;
  }
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  const root = findProjectRoot(import.meta.url);
  // Values already in the environment win over .env, as with node --env-file.
  const envFile = join(root, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  const result = await buildPackage({ root, env: process.env, ...args });
  for (const warning of result.warnings) console.warn(`Warning: ${warning}`);
  if (!result.ok) {
    console.error(`The Teams app package was not built: ${result.violations.length} problem${result.violations.length === 1 ? '' : 's'} (JSON paths into manifest/manifest.template.json once filled):`);
    for (const violation of result.violations) console.error(`  ${formatViolation(violation)}`);
    return 1;
  }
  console.log(`${result.zipPath} (${result.size} bytes): ${result.entries.join(', ')}`);
  console.log('Upload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
