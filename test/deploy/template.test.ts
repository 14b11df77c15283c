// The deployment templates against the app: the Azure template (azure.yaml + infra/ Bicep), compose.yaml and
// the Dockerfile give the bot only settings it reads and .env.sample documents, and the Azure template gives
// it everything a production start needs, its secrets only as Key Vault references; the README's Azure
// walkthrough gives azd every setting the template reads. Names are judged as test/envSample.test.ts judges
// them (test/support/envNames.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { findProjectRoot } from '../../scripts/packaging/projectRoot.js';
import {
  bicepEnv, bicepFiles, bicepSecrets, botServices, composeEnvironment, dockerfileEnvironment, interpolate, readCompose,
} from '../support/deployTemplates.js';
import { documentedNames, namesReadByLoadConfig, namesReadInSource } from '../support/envNames.js';

const root = findProjectRoot(import.meta.url);

/** What issue 18 asks the Azure template to set, at the least, and HEALTH_TOKEN: without it production answers /healthz and /metrics 401 to everyone. */
const AZURE_SETTINGS = [
  'MicrosoftAppId', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'PARTNER_TENANT_ID', 'PARTNER_CENTER_CLIENT_ID',
  'PARTNER_CENTER_CLIENT_SECRET', 'DATABASE_URL', 'STATE_ENCRYPTION_KEY', 'HEALTH_TOKEN',
];
/** Never a plain setting: each carries a password, a key or a bearer token (a webhook URL may carry its key). */
const SECRETS = ['PARTNER_CENTER_CLIENT_SECRET', 'DATABASE_URL', 'STATE_ENCRYPTION_KEY', 'HEALTH_TOKEN'];
/** Webhooks and PSA tickets: optional, passed through azd when used; the secret ones through Key Vault. */
const OPTIONAL_SECRETS = ['WEBHOOK_URLS', 'WEBHOOK_SECRET', 'AUTOTASK_SECRET', 'AUTOTASK_INTEGRATION_CODE', 'CONNECTWISE_PRIVATE_KEY'];
const OPTIONAL_SETTINGS = [
  ...OPTIONAL_SECRETS, 'TICKETS', 'AUTOTASK_USERNAME', 'AUTOTASK_QUEUE_ID',
  'CONNECTWISE_URL', 'CONNECTWISE_COMPANY', 'CONNECTWISE_PUBLIC_KEY', 'CONNECTWISE_CLIENT_ID', 'CONNECTWISE_BOARD',
];

/** A value of the right shape for a setting the template fills from an expression Bicep resolves at deployment. */
const SAMPLE_VALUES: Record<string, string> = {
  MicrosoftAppId: '6b1f0a1a-0000-4000-8000-00000000000a',
  MicrosoftAppTenantId: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  DATABASE_URL: 'postgres://partneralerts:pw@psql-x.postgres.database.azure.com:5432/partner_alerts?sslmode=require',
  STATE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  HEALTH_TOKEN: 'a1'.repeat(32),
  WEBHOOK_URLS: 'https://hooks.example.com/partner-alerts?key=k',
  TICKETS: 'autotask',
  AUTOTASK_USERNAME: 'api@contoso.example',
  AUTOTASK_QUEUE_ID: '8',
  CONNECTWISE_URL: 'https://api-eu.myconnectwise.net',
};

/** What azd fills into main.parameters.json itself; every other `${NAME}` there is the operator's `azd env set`. */
const AZD_OWN_VARIABLES = ['AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_PRINCIPAL_ID', 'SERVICE_BOT_IMAGE_NAME'];

/** The README's "Azure, with `azd up`" section: the walkthrough from an empty subscription. */
function azureWalkthrough(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /^### Azure, with `azd up`\n([\s\S]*?)^#{2,3} /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has no "### Azure, with `azd up`" section');
  return section;
}

/** The shell commands of the walkthrough's ```sh blocks, in order: continued lines joined, comments dropped. */
function walkthroughCommands(): string[] {
  return [...azureWalkthrough().matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean));
}

/** The Partner Center API's app id (the same in every tenant) and the id of its delegated `user_impersonation` permission. */
const PARTNER_CENTER_API = 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd';
const USER_IMPERSONATION = '1cebfa2a-fb4d-419e-b5f9-839b4383e05a';
/** Microsoft Graph's app id (the same in every tenant); the GDAP listing needs its application permission below. */
const MICROSOFT_GRAPH = '00000003-0000-0000-c000-000000000000';
const GDAP_PERMISSION = 'DelegatedAdminRelationship.Read.All';

/** The `@…` decorators written right above `param <name>` in a Bicep file. */
function paramDecorators(bicep: string, name: string): string[] {
  const lines = bicep.split('\n');
  const at = lines.findIndex((line) => new RegExp(`^param\\s+${name}\\s`).test(line));
  assert.ok(at >= 0, `no param ${name}`);
  const decorators: string[] = [];
  for (let line = at - 1; line >= 0 && lines[line]!.startsWith('@'); line -= 1) decorators.unshift(lines[line]!.trim());
  return decorators;
}

/** The Key Vault secrets the template writes (resources.bicep's `var secrets`): name → the expression stored. */
function vaultSecrets(): Map<string, string> {
  const resources = readFileSync(path.join(root, 'infra', 'resources.bicep'), 'utf8');
  const block = /^var secrets = \{\n([\s\S]*?)^\}/m.exec(resources)?.[1];
  assert.ok(block, 'resources.bicep has no var secrets = { … }');
  return new Map([...block.matchAll(/^\s*'([A-Za-z0-9-]+)':\s*(.+?)\s*$/gm)].map((match) => [match[1]!, match[2]!]));
}

describe('deployment templates', () => {
  const read = new Set([...namesReadByLoadConfig(), ...namesReadInSource().names.keys()]);
  const documented = documentedNames();
  const compose = readCompose(root, 'compose.yaml');

  /** Names given to the bot by each template, with where. */
  function givenNames(): Map<string, string[]> {
    const given = new Map<string, string[]>();
    const add = (name: string, where: string) => given.set(name, [...new Set([...(given.get(name) ?? []), where])]);
    for (const entry of bicepEnv(root)) add(entry.name, 'infra/');
    for (const name of Object.keys(dockerfileEnvironment(root))) add(name, 'Dockerfile');
    for (const [service, definition] of botServices(compose)) for (const name of Object.keys(composeEnvironment(definition))) add(name, `compose.yaml ${service}`);
    return given;
  }

  it('give the bot only settings it reads and .env.sample documents', () => {
    const given = givenNames();
    assert.ok(given.size >= AZURE_SETTINGS.length, 'the scan found almost nothing: has the Bicep env format changed?');
    const unread = [...given].filter(([name]) => !read.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
    assert.deepEqual(unread, [], 'set by a template but read by nothing');
    const undocumented = [...given].filter(([name]) => !documented.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
    assert.deepEqual(undocumented, [], 'set by a template but missing from .env.sample');
  });

  it('Azure: sets everything a production start needs, as a user-assigned managed identity on PostgreSQL', () => {
    const env = bicepEnv(root);
    const names = env.map((entry) => entry.name);
    assert.deepEqual(AZURE_SETTINGS.filter((name) => !names.includes(name)), [], 'settings the Azure template does not set');
    // Every setting the template gives, as the app would see it: literals as written, expressions as samples.
    const values = Object.fromEntries(
      env.filter((entry) => entry.kind === 'value').map((entry) => [entry.name, /^'[^']*'$/.test(entry.expression) ? entry.expression.slice(1, -1) : (SAMPLE_VALUES[entry.name] ?? 'from-bicep')]),
    );
    for (const entry of env.filter((candidate) => candidate.kind === 'secretRef')) values[entry.name] = SAMPLE_VALUES[entry.name] ?? 'from-key-vault';
    const result = loadConfig({ ...dockerfileEnvironment(root), ...values });
    assert.ok(result.ok, `the app refuses the template's settings: ${result.ok ? '' : result.problems.join(' ')}`);
    assert.equal(result.config.sandbox, false);
    assert.equal(result.config.bot?.appType, 'UserAssignedMSI');
    assert.ok(result.config.databaseUrl, 'no DATABASE_URL: two replicas would each keep their own state');
    assert.equal(result.config.host, '0.0.0.0');
    assert.equal(result.config.healthToken, SAMPLE_VALUES.HEALTH_TOKEN, 'no HEALTH_TOKEN: /healthz and /metrics refuse every scraper');
    assert.deepEqual(result.config.webhooks?.urls, [SAMPLE_VALUES.WEBHOOK_URLS], 'WEBHOOK_URLS does not reach the app');
    assert.equal(result.config.tickets?.psa.kind, 'autotask', 'TICKETS with its Autotask settings does not reach the app');
  });

  it('Azure: webhooks and PSA tickets can be passed through azd, their secrets through Key Vault; left empty, they stay off', () => {
    const env = bicepEnv(root);
    const given = new Set(env.map((entry) => entry.name));
    assert.deepEqual(OPTIONAL_SETTINGS.filter((name) => !given.has(name)), [], 'settings the Azure template cannot pass');
    for (const name of OPTIONAL_SECRETS) assert.equal(env.find((entry) => entry.name === name)?.kind, 'secretRef', `${name} is not a secretRef`);
    // Container Apps cannot read an empty Key Vault secret: an unused one holds a single space instead.
    const main = readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8');
    for (const name of OPTIONAL_SECRETS) {
      const stored = vaultSecrets().get(name.replaceAll('_', '-'));
      const param = /^empty\((\w+)\) \? ' ' : (\w+)$/.exec(stored ?? '');
      assert.ok(param && param[1] === param[2], `the Key Vault secret ${name.replaceAll('_', '-')} may be stored empty: ${stored}`);
      assert.ok(paramDecorators(main, param[1]!).includes('@secure()'), `main.bicep's ${param[1]} is not @secure()`);
      assert.match(main, new RegExp(`^param ${param[1]} string = ''$`, 'm'), `main.bicep's ${param[1]} is not optional`);
    }
    // What an unused one reaches the app as: a space for the secrets, empty for the rest; all of it off.
    const production = { ...dockerfileEnvironment(root), MicrosoftAppId: SAMPLE_VALUES.MicrosoftAppId!, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: SAMPLE_VALUES.MicrosoftAppTenantId! };
    const unused = Object.fromEntries(OPTIONAL_SETTINGS.map((name) => [name, OPTIONAL_SECRETS.includes(name) ? ' ' : '']));
    const result = loadConfig({ ...production, ...unused });
    assert.ok(result.ok, `the app refuses the unused settings: ${result.ok ? '' : result.problems.join(' ')}`);
    assert.deepEqual([result.config.webhooks?.urls ?? [], result.config.webhooks?.secret ?? null, result.config.tickets ?? null], [[], null, null]);
  });

  it('Azure: the secrets reach the app only as Container Apps secrets read from Key Vault with an identity', () => {
    const env = bicepEnv(root);
    const secrets = bicepSecrets(root);
    for (const name of [...SECRETS, ...OPTIONAL_SECRETS]) {
      const entry = env.find((candidate) => candidate.name === name);
      assert.equal(entry?.kind, 'secretRef', `${name} is not a secretRef`);
      const secret = secrets.find((candidate) => `'${candidate.name}'` === entry.expression);
      assert.ok(secret, `${name} refers to ${entry.expression}, which is not a secret of the app`);
      assert.equal(secret.source, 'keyVaultUrl', `${name}'s secret is a plain value, not a Key Vault reference`);
      assert.match(secret.expression, /vaultUri\}secrets\/[A-Za-z0-9-]+'$/, `${name}'s Key Vault reference is not a secret of the vault`);
      assert.ok(secret.identity, `${name}'s Key Vault reference names no identity`);
      const vaultName = /secrets\/([A-Za-z0-9-]+)'$/.exec(secret.expression)![1]!;
      assert.ok(vaultSecrets().has(vaultName), `${name} reads the Key Vault secret ${vaultName}, which the template never writes`);
    }
    assert.deepEqual(secrets.filter((secret) => secret.source === 'value').map((secret) => secret.name), [], 'app secrets held as plain values');
  });

  it('Azure: azd deploys the Dockerfile to the app that carries its service name, two replicas on the image\'s port, behind the Azure Bot', () => {
    const azure = parse(readFileSync(path.join(root, 'azure.yaml'), 'utf8')) as { services: Record<string, { host: string; docker?: { path: string } }> };
    const [[serviceName, service]] = Object.entries(azure.services) as [[string, { host: string; docker?: { path: string } }]];
    assert.equal(service.host, 'containerapp');
    assert.ok(service.docker && existsSync(path.join(root, service.docker.path)), 'azure.yaml points to no Dockerfile');
    const bicep = bicepFiles(root).map(({ text }) => text).join('\n');
    assert.match(bicep, new RegExp(`'azd-service-name':\\s*'${serviceName}'`), `no resource is tagged azd-service-name: '${serviceName}', so azd deploy finds no app`);
    const port = dockerfileEnvironment(root).PORT;
    assert.match(bicep, new RegExp(`targetPort:\\s*${port}\\b`), `the ingress does not send to the image's PORT ${port}`);
    assert.match(bicep, /scale:\s*\{\s*minReplicas:\s*2,\s*maxReplicas:\s*2\s*\}/);
    assert.match(bicep, /endpoint:\s*'https:\/\/\$\{app\.properties\.configuration\.ingress\.fqdn\}\/api\/messages'/);
    assert.match(bicep, /msaAppType:\s*'UserAssignedMSI'/);
    assert.match(bicep, /msaAppMSIResourceId:\s*identity\.id/);
    assert.match(bicep, /channelName:\s*'MsTeamsChannel'/);
  });

  it('Azure: HEALTH_TOKEN comes from a secure parameter azd passes in, which the deployment refuses shorter than the app does', () => {
    const name = vaultSecrets().get('HEALTH-TOKEN');
    assert.ok(name && /^\w+$/.test(name), 'the HEALTH-TOKEN Key Vault secret is not a parameter of resources.bicep');
    const resources = readFileSync(path.join(root, 'infra', 'resources.bicep'), 'utf8');
    assert.ok(paramDecorators(resources, name).includes('@secure()'), `resources.bicep's ${name} is not @secure(): it would show in the deployment's history`);
    const main = readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8');
    const passed = new RegExp(`^\\s+${name}:\\s*(\\w+)\\s*$`, 'm').exec(main)?.[1];
    assert.ok(passed, `main.bicep passes resources.bicep no ${name}`);
    const decorators = paramDecorators(main, passed);
    assert.ok(decorators.includes('@secure()'), `main.bicep's ${passed} is not @secure()`);
    const minLength = Number(/^@minLength\((\d+)\)$/.exec(decorators.find((decorator) => decorator.startsWith('@minLength')) ?? '')?.[1]);
    assert.ok(minLength > 0, `main.bicep's ${passed} has no @minLength: a short token would deploy, then stop both replicas at start`);
    // The deployment's minimum is the app's: what passes one passes the other.
    const production = { ...dockerfileEnvironment(root), MicrosoftAppId: SAMPLE_VALUES.MicrosoftAppId!, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: SAMPLE_VALUES.MicrosoftAppTenantId! };
    assert.equal(loadConfig({ ...production, HEALTH_TOKEN: 'x'.repeat(minLength) }).ok, true, `the app refuses a HEALTH_TOKEN of ${minLength} characters`);
    const shorter = loadConfig({ ...production, HEALTH_TOKEN: 'x'.repeat(minLength - 1) });
    assert.ok(!shorter.ok && shorter.problems.some((problem) => problem.startsWith('HEALTH_TOKEN')), `the app takes a HEALTH_TOKEN of ${minLength - 1} characters, which the deployment refuses`);
    const parameters = JSON.parse(readFileSync(path.join(root, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    assert.equal(parameters.parameters[passed]?.value, '${HEALTH_TOKEN}', 'azd does not fill the parameter from its HEALTH_TOKEN');
  });

  it('Azure: the README sets every azd variable the template reads, and reads HEALTH_TOKEN back from Key Vault for the scraper', () => {
    const walkthrough = azureWalkthrough();
    const parameters = JSON.parse(readFileSync(path.join(root, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    const variables = Object.values(parameters.parameters).map(({ value }) => /^\$\{(\w+)\}$/.exec(value)?.[1]).filter((name): name is string => !!name);
    const set = new Set([...walkthrough.matchAll(/^\s*azd env set (\w+) /gm)].map((match) => match[1]!));
    assert.deepEqual(variables.filter((name) => !AZD_OWN_VARIABLES.includes(name) && !set.has(name)), [], 'the template reads these from azd, but the README never sets them');
    const outputs = new Set([...readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8').matchAll(/^output (\w+) /gm)].map((match) => match[1]!));
    const read = [...walkthrough.matchAll(/azd env get-value (\w+)/g)].map((match) => match[1]!);
    assert.deepEqual(read.filter((name) => !outputs.has(name) && !set.has(name)), [], 'the README reads these from azd, which neither sets them nor gets them from the template');

    // The scraper's token: the very Key Vault secret the app reads, into the file the README's scrape config names.
    const secretRef = bicepEnv(root).find((entry) => entry.name === 'HEALTH_TOKEN')?.expression;
    const vaultName = /secrets\/([A-Za-z0-9-]+)'$/.exec(bicepSecrets(root).find((secret) => `'${secret.name}'` === secretRef)?.expression ?? '')?.[1];
    assert.ok(vaultName, 'HEALTH_TOKEN is not read from Key Vault');
    const tokenFile = /credentials_file:\s*(\S+)/.exec(readFileSync(path.join(root, 'README.md'), 'utf8'))?.[1];
    assert.ok(tokenFile, 'the README\'s scrape config names no credentials_file');
    const show = /az keyvault secret show --vault-name "\$\(azd env get-value (\w+)\)" --name (\S+) --query value -o tsv \\\n\s*> (\S+)/.exec(walkthrough);
    assert.ok(show, 'the README does not say how to read HEALTH_TOKEN back with az keyvault secret show');
    assert.equal(show[1], 'AZURE_KEY_VAULT_NAME');
    assert.equal(show[2], vaultName, 'the README reads another Key Vault secret than the app');
    assert.equal(show[3], tokenFile, 'the README writes the token elsewhere than the scrape config reads it');
  });

  it('Azure: the README registers the Partner Center app with az, in order, and hands its id and secret to azd', () => {
    const commands = walkthroughCommands();
    const find = (pattern: RegExp, what: string): number => {
      const at = commands.findIndex((command) => pattern.test(command));
      assert.ok(at >= 0, `the README's walkthrough never runs ${what}`);
      return at;
    };
    const assignedBy = (at: number): string => /^(\w+)=/.exec(commands[at]!)![1]!;
    const created = find(/^\w+=\$\(az ad app create --display-name "[^"]+" .*--query appId -o tsv\)$/, 'az ad app create, keeping its appId');
    const app = `"\\$${assignedBy(created)}"`;
    const steps = [
      created,
      find(new RegExp(`^az ad app permission add --id ${app} --api ${PARTNER_CENTER_API} --api-permissions ${USER_IMPERSONATION}=Scope$`), "az ad app permission add of Partner Center's user_impersonation"),
      find(new RegExp(`^az ad app permission admin-consent --id ${app}$`), 'az ad app permission admin-consent'),
      find(new RegExp(`^az ad app update --id ${app} --is-fallback-public-client true$`), 'az ad app update --is-fallback-public-client true'),
      find(new RegExp(`^\\w+=\\$\\(az ad app credential reset --id ${app} .*--query password -o tsv\\)$`), 'az ad app credential reset, keeping its password'),
    ];
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'the app registration commands are out of order');
    const handed = [
      find(new RegExp(`^azd env set PARTNER_CENTER_CLIENT_ID ${app}$`), 'azd env set PARTNER_CENTER_CLIENT_ID with the new app\'s id'),
      find(new RegExp(`^azd env set PARTNER_CENTER_CLIENT_SECRET "\\$${assignedBy(steps.at(-1)!)}"$`), 'azd env set PARTNER_CENTER_CLIENT_SECRET with the new secret'),
    ];
    assert.ok(Math.min(...handed) > Math.max(...steps), 'azd is given the app before it exists');

    // Nothing to fill in by guess: every shell variable a command uses was set by an earlier one.
    const assigned = new Set<string>();
    const unset: string[] = [];
    for (const command of commands) {
      for (const [, name] of command.matchAll(/\$\{?([A-Za-z_]\w*)/g)) if (!assigned.has(name!)) unset.push(`$${name} in ${command}`);
      for (const [, name] of command.matchAll(/(?:^|[\s;])(?:export\s+)?([A-Za-z_]\w*)=/g)) assigned.add(name!);
    }
    assert.deepEqual(unset, [], 'variables the walkthrough uses before setting them');
  });

  it('Azure: the README grants the app Graph\'s DelegatedAdminRelationship.Read.All (its role id looked up, as an application permission) before the admin consent', () => {
    const commands = walkthroughCommands();
    const app = /^(\w+)=\$\(az ad app create /.exec(commands.find((command) => /^\w+=\$\(az ad app create /.test(command)) ?? '')?.[1];
    assert.ok(app, 'the walkthrough creates no app');
    const lookup = commands.findIndex((command) =>
      command.includes(`az ad sp show --id ${MICROSOFT_GRAPH} --query "appRoles[?value=='${GDAP_PERMISSION}'].id" -o tsv`));
    assert.ok(lookup >= 0, `the walkthrough never looks up the id of Graph's ${GDAP_PERMISSION} app role`);
    const role = /^(\w+)=\$\(az ad sp show /.exec(commands[lookup]!)?.[1];
    assert.ok(role, 'the role id looked up is not kept in a variable');
    const grant = commands.findIndex((command) =>
      new RegExp(`^az ad app permission add --id "\\$${app}" --api ${MICROSOFT_GRAPH} --api-permissions "?\\$\\{?${role}\\}?"?=Role"?$`).test(command));
    assert.ok(grant > lookup, `the walkthrough never adds ${GDAP_PERMISSION} as an application permission (=Role) after looking its id up`);
    const consent = commands.findIndex((command) => command === `az ad app permission admin-consent --id "$${app}"`);
    assert.ok(consent > grant, 'the admin consent comes before the Graph permission it must cover');
    assert.match(azureWalkthrough(), new RegExp(`${GDAP_PERMISSION.replace(/\./g, '\\.')}[\\s\\S]*Global Administrator or Privileged Role\\s+Administrator`), 'the README does not say who may consent to a Graph application permission');
  });

  it('Azure: azd fills every parameter of infra/main.bicep, and only those', () => {
    const main = readFileSync(path.join(root, 'infra', 'main.bicep'), 'utf8');
    const declared = [...main.matchAll(/^param\s+(\w+)\s/gm)].map((match) => match[1]!).sort();
    const parameters = JSON.parse(readFileSync(path.join(root, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, unknown> };
    assert.ok(declared.length > 0);
    assert.deepEqual(Object.keys(parameters.parameters).sort(), declared);
  });

  describe('the Bicep scan the Azure tests rely on', () => {
    const projects: string[] = [];
    after(() => projects.forEach((project) => rmSync(project, { recursive: true, force: true })));

    /** bicepEnv and bicepSecrets over a project whose infra/ holds only `bicep`, as infra/app.bicep. */
    function scan(bicep: string): { env: () => ReturnType<typeof bicepEnv>; secrets: () => ReturnType<typeof bicepSecrets> } {
      const project = mkdtempSync(path.join(tmpdir(), 'bicep-scan-'));
      projects.push(project);
      mkdirSync(path.join(project, 'infra'));
      writeFileSync(path.join(project, 'infra', 'app.bicep'), bicep);
      return { env: () => bicepEnv(project), secrets: () => bicepSecrets(project) };
    }

    it('reads entries written over several lines, with comments, strings holding commas and braces, and calls', () => {
      const { env, secrets } = scan([
        "env: [",
        "  { name: 'ONE', value: 'a, { b }' } // a comment",
        "  {",
        "    name: 'TWO' // why TWO",
        "    secretRef: 'two-secret'",
        "  }",
        "  { name: 'THREE', value: concat('x', ',', '${empty(y) ? 'p' : 'q'}') }",
        "]",
        "secrets: [",
        "  {",
        "    name: 'two-secret'",
        "    keyVaultUrl: '${vault.properties.vaultUri}secrets/TWO'",
        "    identity: identity.id",
        "  }",
        "]",
      ].join('\n'));
      assert.deepEqual(env(), [
        { name: 'ONE', kind: 'value', expression: "'a, { b }'" },
        { name: 'TWO', kind: 'secretRef', expression: "'two-secret'" },
        { name: 'THREE', kind: 'value', expression: "concat('x', ',', '${empty(y) ? 'p' : 'q'}')" },
      ]);
      assert.deepEqual(secrets(), [
        { name: 'two-secret', source: 'keyVaultUrl', expression: "'${vault.properties.vaultUri}secrets/TWO'", identity: 'identity.id' },
      ]);
    });

    it('stops, in one sentence naming the file and line, at an env or secrets entry it cannot read, instead of skipping it', () => {
      const cases: [string, string, RegExp][] = [
        ["env: [\n  { name: 'ONE', value: 'a' }\n  {\n    name: 'TWO'\n    valu: 'b'\n  }\n]", 'env', /^infra\/app\.bicep line 3: an env entry the template test cannot read \(\{ name: 'TWO' valu: 'b' \}\); write it with a quoted variable name and either value or secretRef, nothing else\.$/],
        ["env: [\n  { name: 'ONE', value: 'a', secretRef: 'b' }\n]", 'env', /^infra\/app\.bicep line 2: an env entry /],
        ["env: [for name in names: { name: name, value: 'x' }]", 'env', /^infra\/app\.bicep line 1: the env list holds something the template test cannot read \(for name in names: .*\); write each entry out as \{ … \}\.$/],
        ["env: [\n  { name: 'ONE', value: 'a' }\n  sharedSettings\n]", 'env', /^infra\/app\.bicep line 3: the env list holds something .* \(sharedSettings\)/],
        ["env: concat(common, [])", 'env', /^infra\/app\.bicep line 1: env is not a list the template test can read \(concat\(common, \[\]\)\); write its entries out as \[ \{ … \} \]\.$/],
        ["secrets: [\n  {\n    name: 'key'\n    keyVaultUrl: '${vault.properties.vaultUri}secrets/KEY'\n  }\n]", 'secrets', /^infra\/app\.bicep line 2: a Container Apps secret the template test cannot read .*keyVaultUrl with identity/],
      ];
      for (const [bicep, list, message] of cases) {
        const { env, secrets } = scan(bicep);
        assert.throws(list === 'env' ? env : secrets, (error: Error) => {
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /\n/);
          return true;
        }, bicep);
      }
    });
  });

  it('compose: two bot instances outside any profile on PostgreSQL 16, as the app reads their settings', () => {
    const postgres = compose.services.postgres;
    assert.match(postgres?.image ?? '', /^postgres:16\b/);
    assert.ok(postgres?.healthcheck?.test, 'PostgreSQL has no healthcheck for the bots to wait on');
    const bots = botServices(compose);
    assert.ok(bots.length >= 2, `${bots.length} bot service(s)`);
    for (const [name, bot] of bots) {
      assert.equal(bot.profiles, undefined, `${name} is in a profile: plain docker compose up would not start it`);
      assert.deepEqual(bot.depends_on, { postgres: { condition: 'service_healthy' } }, `${name} does not wait for PostgreSQL`);
      const env = Object.fromEntries(Object.entries(composeEnvironment(bot)).map(([key, value]) => [key, interpolate(value)]));
      const result = loadConfig({ ...dockerfileEnvironment(root), ...env });
      assert.ok(result.ok, `${name}: ${result.ok ? '' : result.problems.join(' ')}`);
      assert.equal(result.config.sandbox, true);
      assert.equal(new URL(result.config.databaseUrl ?? 'x:').hostname, 'postgres', `${name} is not on the compose database`);
      assert.equal(result.config.host, '0.0.0.0', `${name} listens on its loopback, out of Caddy's reach`);
      assert.equal(result.config.sandboxSettings.playground, false, `${name} would start the Agents Playground`);
    }
  });

  it('compose: Caddy forwards only /api/messages, to every bot instance on its port', () => {
    const caddy = compose.services.caddy;
    const mount = caddy?.volumes?.find((volume) => volume.endsWith(':/etc/caddy/Caddyfile:ro'));
    assert.ok(mount, 'Caddy mounts no Caddyfile');
    const caddyfile = readFileSync(path.join(root, mount.split(':')[0]!), 'utf8').replace(/#.*$/gm, '');
    const handles = [...caddyfile.matchAll(/handle(\s+\S+)?\s*\{/g)].map((match) => match[1]?.trim() ?? '(rest)');
    assert.deepEqual(handles, ['/api/messages', '(rest)']);
    assert.match(caddyfile, /handle\s*\{\s*respond 404\s*\}/, 'everything but /api/messages must be 404');
    const upstreams = /reverse_proxy\s+([^{\n]+)/.exec(caddyfile)?.[1]?.trim().split(/\s+/) ?? [];
    const expected = botServices(compose).map(([name, bot]) => `${name}:${interpolate(composeEnvironment(bot).PORT ?? dockerfileEnvironment(root).PORT ?? '')}`);
    assert.deepEqual(upstreams.sort(), expected.sort());
  });

  it('compose.production.yaml gives every bot instance the settings of .env', () => {
    const production = readCompose(root, 'compose.production.yaml');
    for (const [name] of botServices(compose)) assert.equal(production.services[name]?.env_file, '.env', `${name} does not read .env in production`);
  });
});
