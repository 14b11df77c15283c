// The Teams app package: manifest template, limits, command menu vs. grammar, icons, and the zip itself.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { parseCommand } from '../src/domain/commands.js';
import { PLACEHOLDER_APP_ID, PLACEHOLDER_DEVELOPER_NAME, PLACEHOLDER_URLS, prepareManifest } from '../scripts/packaging/buildPackage.js';
import { crc32 } from '../scripts/packaging/crc32.js';
import { iconProblem } from '../scripts/packaging/iconCheck.js';
import { checkLimits, checkManifest, LIMITS } from '../scripts/packaging/manifestCheck.js';
import { fillTemplate } from '../scripts/packaging/manifestFill.js';
import { decodePng, encodePng, readPngHeader, type RgbaImage } from '../scripts/packaging/png.js';
import { findProjectRoot } from '../scripts/packaging/projectRoot.js';
import { checkSchema } from '../scripts/packaging/schemaCheck.js';
import { formatViolation, type Json } from '../scripts/packaging/violations.js';

const root = findProjectRoot(import.meta.url);
const manifestDir = join(root, 'manifest');
const APP_ID = '8d3c1f7e-2b4a-4c6d-9e0f-1a2b3c4d5e6f';
const PAGES = {
  PRIVACY_URL: 'https://www.contoso.com/privacy',
  TERMS_URL: 'https://www.contoso.com/terms-of-use',
  WEBSITE_URL: 'https://www.contoso.com/',
  DEVELOPER_NAME: 'Contoso Cloud Services',
};
const ENV = { MicrosoftAppId: APP_ID, BOT_DOMAIN: 'https://bot.contoso.com/api/messages', ...PAGES };
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

interface Command {
  title: string;
  description?: string;
}
interface Manifest {
  id: string;
  version: string;
  manifestVersion: string;
  name: { short: string; full: string };
  description: { short: string; full: string };
  validDomains: string[];
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  bots: Array<{
    botId?: string;
    scopes: string[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: Array<{ scopes: string[]; commands: Command[] }>;
  }>;
}

function filled(env: Record<string, string> = ENV): Manifest {
  const prepared = prepareManifest({ root, env });
  assert.deepEqual(prepared.violations, []);
  return prepared.manifest as unknown as Manifest;
}

const asJson = (manifest: Manifest): Json => JSON.parse(JSON.stringify(manifest)) as Json;

/** Example arguments for every menu title, and what the bot must make of "title + argument". */
const EXAMPLES: Record<string, Array<[string, Record<string, unknown>]>> = {
  help: [['', { kind: 'help' }]],
  'status for': [['contoso', { kind: 'status', customer: 'contoso' }]],
  customers: [
    ['', { kind: 'customers', prefix: null }],
    ['con', { kind: 'customers', prefix: 'con' }],
  ],
  'subscriptions for': [['Northwind Traders', { kind: 'subscriptions', customer: 'Northwind Traders' }]],
  'orders for': [['contoso', { kind: 'orders', customer: 'contoso' }]],
  watch: [
    ['contoso', { kind: 'watchCustomer', customer: 'contoso' }],
    ['Northwind Traders severity warning workloads Exchange,Teams', { kind: 'watchCustomer', customer: 'Northwind Traders' }],
    ['all', { kind: 'watchAll' }],
  ],
  'watch subscriptions': [
    ['contoso severity warning', { kind: 'watchSubscriptions', customer: 'contoso' }],
    ['all', { kind: 'watchSubscriptions', customer: null }],
  ],
  watches: [['', { kind: 'watches' }]],
  digest: [
    ['daily 08:00 Europe/Amsterdam', { kind: 'digest', action: 'set', time: '08:00', timeZone: 'Europe/Amsterdam' }],
    ['now', { kind: 'digest', action: 'now' }],
  ],
  'quiet hours': [
    ['20:00-07:00 Europe/Amsterdam', { kind: 'quietHours', action: 'set', start: '20:00', end: '07:00' }],
    ['off', { kind: 'quietHours', action: 'off' }],
  ],
};

/** Commands left off the menus (10 a scope at most): the description must name each. */
const OFF_MENU = ['provisioning order', 'watch order', 'watch all', 'unwatch', 'unwatch subscriptions', 'exclude', 'poll now', 'digest weekdays', 'digest off'];

describe('Teams app manifest', () => {
  it('fills the app id, the version from package.json, the bot domain, the publisher and its pages', () => {
    const manifest = filled();
    assert.deepEqual(manifest.developer, {
      name: PAGES.DEVELOPER_NAME,
      websiteUrl: PAGES.WEBSITE_URL,
      privacyUrl: PAGES.PRIVACY_URL,
      termsOfUseUrl: PAGES.TERMS_URL,
    });
    assert.equal(manifest.id, APP_ID);
    assert.equal(manifest.bots[0]?.botId, APP_ID);
    assert.equal(manifest.version, packageVersion);
    assert.deepEqual(manifest.validDomains, ['bot.contoso.com']);
    assert.equal(manifest.developer.privacyUrl, PAGES.PRIVACY_URL);
    assert.equal(manifest.developer.termsOfUseUrl, PAGES.TERMS_URL);
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
    assert.deepEqual(filled({ MicrosoftAppId: APP_ID, ...PAGES }).validDomains, [], 'without BOT_DOMAIN the entry is dropped');
  });

  it('needs MicrosoftAppId unless a placeholder id is allowed', () => {
    const missing = prepareManifest({ root, env: PAGES });
    assert.deepEqual(missing.violations.map((violation) => violation.path), ['/bots/0/botId']);
    const placeholder = prepareManifest({ root, env: PAGES, allowPlaceholderId: true });
    assert.deepEqual(placeholder.violations, []);
    assert.equal(placeholder.warnings.length, 1);
    assert.equal((placeholder.manifest as unknown as Manifest).bots[0]?.botId, PLACEHOLDER_APP_ID);
  });

  it('refuses a missing or example privacy, terms or website URL and a missing developer name, naming the variable, unless placeholders are allowed', () => {
    const missing = prepareManifest({ root, env: { MicrosoftAppId: APP_ID } });
    assert.deepEqual(missing.violations.map(formatViolation), [
      '/developer/privacyUrl: PRIVACY_URL is not set (environment or .env): set it to the https:// address of your privacy statement, or pass --allow-placeholder-urls for a trial package',
      '/developer/termsOfUseUrl: TERMS_URL is not set (environment or .env): set it to the https:// address of your terms of use, or pass --allow-placeholder-urls for a trial package',
      '/developer/websiteUrl: WEBSITE_URL is not set (environment or .env): set it to the https:// address of your website, or pass --allow-placeholder-urls for a trial package',
      "/developer/name: DEVELOPER_NAME is not set (environment or .env): set it to your company's name, or pass --allow-placeholder-urls for a trial package",
    ]);
    const exampleSite = prepareManifest({ root, env: { ...ENV, WEBSITE_URL: 'https://example.org' } });
    assert.deepEqual(exampleSite.violations.map(formatViolation), [
      '/developer/websiteUrl: WEBSITE_URL "https://example.org" is a placeholder: set it to the https:// address of your website, or pass --allow-placeholder-urls for a trial package',
    ]);
    const example = prepareManifest({ root, env: { ...ENV, TERMS_URL: 'https://www.example.com/terms' } });
    assert.deepEqual(example.violations.map(formatViolation), [
      '/developer/termsOfUseUrl: TERMS_URL "https://www.example.com/terms" is a placeholder: set it to the https:// address of your terms of use, or pass --allow-placeholder-urls for a trial package',
    ]);
    const allowed = prepareManifest({ root, env: { MicrosoftAppId: APP_ID }, allowPlaceholderUrls: true });
    assert.deepEqual(allowed.violations, []);
    assert.equal(allowed.warnings.length, 4);
    assert.match(allowed.warnings[0] ?? '', /^PRIVACY_URL is not set/);
    assert.match(allowed.warnings[3] ?? '', /^DEVELOPER_NAME is not set/);
    const developer = (allowed.manifest as unknown as Manifest).developer;
    assert.deepEqual(
      [developer.privacyUrl, developer.termsOfUseUrl, developer.websiteUrl, developer.name],
      [PLACEHOLDER_URLS.PRIVACY_URL, PLACEHOLDER_URLS.TERMS_URL, PLACEHOLDER_URLS.WEBSITE_URL, PLACEHOLDER_DEVELOPER_NAME],
    );
  });

  it('refuses a privacy, terms or website URL that is not https, and a developer name over 32 characters, even for a trial package', () => {
    const env = { ...ENV, PRIVACY_URL: 'http://contoso.com/privacy', TERMS_URL: 'contoso terms', WEBSITE_URL: 'www.contoso.com', DEVELOPER_NAME: 'Contoso Cloud Services International Ltd' };
    const result = prepareManifest({ root, env, allowPlaceholderUrls: true });
    assert.deepEqual(result.violations.map(formatViolation), [
      '/developer/privacyUrl: PRIVACY_URL "http://contoso.com/privacy" is not an https:// URL: set it to the address of your privacy statement',
      '/developer/termsOfUseUrl: TERMS_URL "contoso terms" is not an https:// URL: set it to the address of your terms of use',
      '/developer/websiteUrl: WEBSITE_URL "www.contoso.com" is not an https:// URL: set it to the address of your website',
      '/developer/name: DEVELOPER_NAME "Contoso Cloud Services International Ltd" has 40 characters; Teams allows at most 32: shorten it',
    ]);
  });

  it('describes subscriptions, the digest and quiet hours, and every command its menus leave out', () => {
    const manifest = filled();
    const full = manifest.description.full;
    for (const feature of [/subscriptions? (are |is )?suspended|Subscriptions: suspended/i, /digest/, /quiet hours/]) assert.match(full, feature);
    assert.match(manifest.description.short, /subscriptions/);
    const menu = new Set(manifest.bots[0]!.commandLists.flatMap((list) => list.commands.map((command) => command.title)));
    for (const command of OFF_MENU) {
      assert.ok(!menu.has(command), `${command} is on a menu`);
      assert.ok(full.includes(`"${command}`), `the description names "${command}"`);
    }
    for (const list of manifest.bots[0]!.commandLists) assert.equal(list.commands.length, 10, `${list.scopes.join()}: the 10 commands a user most needs`);
  });

  it('reports a placeholder without a value at its JSON path', () => {
    const result = fillTemplate({ a: ['x', '${{MISSING}}'], b: 'v${{VERSION}}' }, { VERSION: '1.2.3' });
    assert.deepEqual(result.manifest, { a: ['x', '${{MISSING}}'], b: 'v1.2.3' });
    assert.deepEqual(result.violations.map(formatViolation), ['/a/1: placeholder ${{MISSING}} has no value']);
  });

  it('validates against the official schema of its manifestVersion (1.19 or newer)', async () => {
    const manifest = filled();
    const [major = 0, minor = 0] = manifest.manifestVersion.split('.').map(Number);
    assert.ok(major > 1 || (major === 1 && minor >= 19), `manifestVersion ${manifest.manifestVersion}`);
    assert.deepEqual(await checkSchema(asJson(manifest)), []);
    const { violations } = await checkManifest(asJson(manifest), manifestDir);
    assert.deepEqual(violations.map(formatViolation), []);
  });

  it('keeps within the Teams limits', () => {
    const manifest = filled();
    assert.deepEqual(checkLimits(asJson(manifest)), []);
    assert.equal(manifest.name.short, 'Partner Alerts');
    assert.equal(manifest.name.full, 'Partner Alerts for Microsoft CSP partners');
    assert.ok(manifest.description.short.length <= LIMITS.shortDescription);
    assert.ok(manifest.description.full.length <= LIMITS.fullDescription);
    const bot = manifest.bots[0]!;
    assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
    assert.equal(bot.supportsFiles, false);
    assert.equal(bot.isNotificationOnly, false);
    assert.deepEqual(bot.commandLists.flatMap((list) => list.scopes).sort(), ['groupChat', 'personal', 'team'], 'one command list per scope');
    for (const list of bot.commandLists) {
      assert.ok(list.commands.length >= 1 && list.commands.length <= LIMITS.commandsPerList, `${list.scopes.join()}: ${list.commands.length} commands`);
      for (const command of list.commands) {
        assert.ok(command.title.length <= LIMITS.commandTitle, command.title);
        assert.ok((command.description ?? '').length <= LIMITS.commandDescription, command.title);
      }
    }
  });

  it('offers in its command menus only commands the bot understands', () => {
    const lists = filled().bots[0]!.commandLists;
    for (const list of lists) {
      for (const { title } of list.commands) {
        const alone = parseCommand(title);
        assert.ok(alone.ok || alone.reason === 'invalid', `"${title}" alone is not even a known command: ${JSON.stringify(alone)}`);
        const examples = EXAMPLES[title];
        assert.ok(examples, `menu title "${title}" has no example argument in this test`);
        for (const [argument, expected] of examples) {
          const text = `${title} ${argument}`.trim();
          const parsed = parseCommand(text);
          assert.ok(parsed.ok, `"${text}" does not parse: ${JSON.stringify(parsed)}`);
          const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, (parsed.command as unknown as Record<string, unknown>)[key]]));
          assert.deepEqual(picked, expected, text);
        }
      }
    }
    const titles = new Set(lists.flatMap((list) => list.commands.map((command) => command.title)));
    assert.deepEqual([...titles].sort(), Object.keys(EXAMPLES).sort(), 'every example command is on the menu');
  });

  it('reports a broken manifest with JSON paths', async () => {
    const manifest = filled() as unknown as Record<string, unknown> & Manifest;
    manifest.name.short = 'Partner Alerts for CSP partners!';
    delete manifest.bots[0]!.botId;
    manifest.bots[0]!.commandLists[0]!.commands[1]!.title = 'x'.repeat(33);
    manifest.bots[0]!.commandLists[1]!.commands.push(...Array.from({ length: 5 }, () => ({ title: 'help' })));
    manifest['accentColor'] = 'blue';
    manifest['colour'] = '#123456';
    const { violations } = await checkManifest(asJson(manifest), manifestDir);
    const lines = violations.map(formatViolation);
    const expected = [
      '/name/short: must be at most 30 characters (it has 32)',
      "/bots/0/botId: is required: the Azure Bot's Microsoft App ID",
      '/bots/0/commandLists/0/commands/1/title: must be at most 32 characters (it has 33)',
      '/bots/0/commandLists/1/commands: must have at most 10 commands (it has 15)',
      '/accentColor: must match pattern "^#[0-9a-fA-F]{6}$"',
      '/colour: is not a property the schema allows here',
    ];
    for (const line of expected) assert.ok(lines.includes(line), `missing "${line}" in:\n${lines.join('\n')}`);
    assert.equal(lines.filter((line) => line.startsWith('/name/short:')).length, 1, 'the schema and the limit say it once');
  });
});

describe('Teams app icons', () => {
  const color = readFileSync(join(manifestDir, 'color.png'));
  const outline = readFileSync(join(manifestDir, 'outline.png'));

  it('has a 192×192 colour icon and a 32×32 outline icon', () => {
    assert.deepEqual([readPngHeader(color).width, readPngHeader(color).height], [192, 192]);
    assert.deepEqual([readPngHeader(outline).width, readPngHeader(outline).height], [32, 32]);
    const colours = new Set<string>();
    const pixels = decodePng(color).data;
    for (let i = 0; i < pixels.length; i += 4) colours.add(`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`);
    assert.ok(colours.has('15,108,189') && colours.has('255,255,255'), 'accent background with a white mark');
    assert.equal(iconProblem(color, 192, false), null);
  });

  it('draws the outline icon white on transparent', () => {
    const { data } = decodePng(outline);
    let visible = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      visible++;
      assert.deepEqual([data[i], data[i + 1], data[i + 2]], [255, 255, 255], `pixel ${i / 4}`);
    }
    assert.ok(visible > 100 && visible < 32 * 32 - 100, `${visible} visible pixels`);
    assert.equal(iconProblem(outline, 32, true), null);
  });

  it('rejects a wrong size, a coloured outline and an empty outline', () => {
    const image = (size: number, pixel: number[]): Buffer =>
      encodePng({ width: size, height: size, data: Uint8Array.from({ length: size * size * 4 }, (_, i) => pixel[i % 4]!) });
    assert.equal(iconProblem(image(48, [255, 255, 255, 255]), 32, true), 'must be 32×32 pixels (it is 48×48)');
    assert.match(iconProblem(image(32, [255, 0, 0, 255]), 32, true) ?? '', /^must be white on transparent: 1024 pixels are neither/);
    assert.equal(iconProblem(image(32, [0, 0, 0, 0]), 32, true), 'must show a white symbol, but every pixel is transparent');
    assert.equal(iconProblem(Buffer.from('not a png'), 32, true), 'is not a PNG file');
  });

  it('encodes and decodes PNG losslessly with every row filter', () => {
    const size = 40;
    const data = new Uint8Array(size * size * 4);
    let seed = 7;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      // Noise in the top half, gradients below, so the encoder picks different filters for different rows.
      data[i] = i < data.length / 2 ? seed >> 16 : (i >> 2) % 256;
    }
    const image: RgbaImage = { width: size, height: size, data };
    assert.deepEqual(decodePng(encodePng(image)), image);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });
});

describe('npm run package', () => {
  const packager = fileURLToPath(new URL('../scripts/package.js', import.meta.url));
  let outDir = '';
  beforeEach(() => {
    outDir = mkdtempSync(join(tmpdir(), 'partner-alerts-package-'));
  });
  afterEach(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes a zip with exactly manifest.json, color.png and outline.png', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [packager, '--out', outDir], { env: { ...process.env, ...ENV } });
    const zipPath = join(outDir, 'partner-alerts.zip');
    assert.match(stdout, new RegExp(`${zipPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\)`));
    const entries = readZip(readFileSync(zipPath));
    assert.deepEqual([...entries.keys()], ['manifest.json', 'color.png', 'outline.png']);
    assert.deepEqual(JSON.parse(entries.get('manifest.json')!.toString('utf8')), filled());
    assert.ok(entries.get('color.png')!.equals(readFileSync(join(manifestDir, 'color.png'))));
    assert.ok(entries.get('outline.png')!.equals(readFileSync(join(manifestDir, 'outline.png'))));
    if (hasUnzip()) execFileSync('unzip', ['-tq', zipPath]); // a second opinion when the tool is installed
  });

  it('prints the violations and exits 1 without MicrosoftAppId', async () => {
    const run = promisify(execFile)(process.execPath, [packager, '--out', outDir], { env: { ...process.env, MicrosoftAppId: '' } });
    await assert.rejects(run, (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr ?? '', /\/bots\/0\/botId: MicrosoftAppId is not set/);
      return true;
    });
  });

  it('refuses placeholder privacy and terms URLs unless run with --allow-placeholder-urls', async () => {
    const env = { ...process.env, ...ENV, PRIVACY_URL: '', TERMS_URL: '' };
    const refused = promisify(execFile)(process.execPath, [packager, '--out', outDir], { env });
    await assert.rejects(refused, (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr ?? '', /\/developer\/privacyUrl: PRIVACY_URL is not set/);
      assert.match(error.stderr ?? '', /\/developer\/termsOfUseUrl: TERMS_URL is not set/);
      return true;
    });
    const { stderr } = await promisify(execFile)(process.execPath, [packager, '--allow-placeholder-urls', '--out', outDir], { env });
    assert.match(stderr, /Warning: PRIVACY_URL is not set \(environment or \.env\): using https:\/\/example\.com\/privacy/);
    const manifest = JSON.parse(readZip(readFileSync(join(outDir, 'partner-alerts.zip'))).get('manifest.json')!.toString('utf8')) as Manifest;
    assert.equal(manifest.developer.termsOfUseUrl, PLACEHOLDER_URLS.TERMS_URL);
  });
});

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Reads a ZIP through its central directory, independently of the writer, checking every CRC. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    assert.ok(method === 0 || method === 8, `${name}: method ${method}`);
    assert.equal(data.length, size, `${name}: size`);
    assert.equal(crc32(data), crc, `${name}: CRC`);
    entries.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
