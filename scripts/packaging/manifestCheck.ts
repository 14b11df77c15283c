// Every check of a filled manifest: the official schema, then the Teams limits the schema does not
// enforce (or enforces more loosely), then the icon files. Returns the violations and the icon bytes.
import { checkIcons, type IconFile } from './iconCheck.js';
import { checkSchema } from './schemaCheck.js';
import { isObject, pointer, type Json, type JsonObject, type Violation } from './violations.js';

export const LIMITS = {
  shortName: 30,
  shortDescription: 80,
  fullDescription: 4000,
  commandLists: 3,
  commandsPerList: 10,
  commandTitle: 32,
  commandDescription: 128,
} as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const DOMAIN = /^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export interface ManifestCheck {
  violations: Violation[];
  icons: IconFile[];
}

export async function checkManifest(manifest: Json, iconDir: string): Promise<ManifestCheck> {
  const limits = checkLimits(manifest);
  const covered = new Set(limits.map((violation) => violation.path));
  // Where a limit already explains a path, the schema's wording for the same path adds nothing.
  const schema = (await checkSchema(manifest)).filter((violation) => !covered.has(violation.path));
  const icons = checkIcons(manifest, iconDir);
  return { violations: [...schema, ...limits, ...icons.violations], icons: icons.files };
}

export function checkLimits(manifest: Json): Violation[] {
  const violations: Violation[] = [];
  const add = (path: string, message: string): void => {
    violations.push({ path, message });
  };
  if (!isObject(manifest)) return [{ path: '', message: 'must be a JSON object' }];
  const name = objectAt(manifest, 'name');
  maxLength(name?.['short'], '/name/short', LIMITS.shortName, add, true);
  const description = objectAt(manifest, 'description');
  maxLength(description?.['short'], '/description/short', LIMITS.shortDescription, add, true);
  maxLength(description?.['full'], '/description/full', LIMITS.fullDescription, add, true);

  const bots = manifest['bots'];
  const bot = Array.isArray(bots) ? bots[0] : undefined;
  if (!isObject(bot)) {
    add('/bots/0', 'is required: Partner Alerts is a bot');
  } else {
    const botId = bot['botId'];
    if (typeof botId !== 'string' || botId === '') add('/bots/0/botId', "is required: the Azure Bot's Microsoft App ID");
    else if (!GUID.test(botId)) add('/bots/0/botId', `must be a GUID (the Azure Bot's Microsoft App ID), not "${botId}"`);
    checkCommandLists(bot['commandLists'], add);
  }

  const domains = manifest['validDomains'];
  if (Array.isArray(domains)) {
    domains.forEach((domain, index) => {
      if (typeof domain === 'string' && !DOMAIN.test(domain)) {
        add(pointer('/validDomains', index), `"${domain}" must be a host name like bot.contoso.com (no https://, path or port)`);
      }
    });
  }
  return violations;
}

function checkCommandLists(lists: Json | undefined, add: (path: string, message: string) => void): void {
  if (lists === undefined) return;
  if (!Array.isArray(lists)) return add('/bots/0/commandLists', 'must be a list');
  if (lists.length > LIMITS.commandLists) add('/bots/0/commandLists', `must have at most ${LIMITS.commandLists} lists (it has ${lists.length})`);
  const scopeOwner = new Map<string, number>();
  lists.forEach((list, listIndex) => {
    const listPath = pointer('/bots/0/commandLists', listIndex);
    if (!isObject(list)) return;
    const scopes = Array.isArray(list['scopes']) ? list['scopes'] : [];
    for (const scope of scopes) {
      if (typeof scope !== 'string') continue;
      const owner = scopeOwner.get(scope);
      if (owner !== undefined) add(`${listPath}/scopes`, `scope "${scope}" already has command list ${owner}`);
      else scopeOwner.set(scope, listIndex);
    }
    const commands = list['commands'];
    if (!Array.isArray(commands)) return;
    const commandsPath = `${listPath}/commands`;
    if (commands.length > LIMITS.commandsPerList) {
      add(commandsPath, `must have at most ${LIMITS.commandsPerList} commands (it has ${commands.length})`);
    }
    commands.forEach((command, index) => {
      if (!isObject(command)) return;
      const path = pointer(commandsPath, index);
      maxLength(command['title'], `${path}/title`, LIMITS.commandTitle, add, true);
      maxLength(command['description'], `${path}/description`, LIMITS.commandDescription, add, false);
    });
  });
}

function maxLength(value: Json | undefined, path: string, limit: number, add: (path: string, message: string) => void, required: boolean): void {
  if (value === undefined || value === '') {
    if (required) add(path, 'is required');
    return;
  }
  if (typeof value !== 'string') return add(path, 'must be a string');
  const length = [...value].length;
  if (length > limit) add(path, `must be at most ${limit} characters (it has ${length})`);
}

function objectAt(parent: JsonObject, key: string): JsonObject | undefined {
  const value = parent[key];
  return isObject(value) ? value : undefined;
}
