// npm run connect-partner-center
// The secure application model's consent, run once by an admin agent of the partner: a device-code sign-in
// (works over SSH and in a container) with MFA, one Partner Center call to prove the token, then the refresh
// token stored in the state (DATA_FILE or DATABASE_URL) where the bot reads it. Reads the bot's settings
// from the environment or `.env`. Any failure is one sentence, exit code 1, and the state unchanged.
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { obtainConsent } from '../src/partnerCenter/consent.js';
import { ConsentError } from '../src/partnerCenter/consentProblems.js';
import { checkStore, openStore } from '../src/store/openStore.js';
import { StateFileError } from '../src/store/state.js';
import type { StateStore } from '../src/store/stateStore.js';

async function main(): Promise<number> {
  if (process.argv.length > 2) {
    console.error('npm run connect-partner-center takes no options: it reads PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_URL, PARTNER_CENTER_AUTHORITY_HOST and DATA_FILE or DATABASE_URL from the environment or .env.');
    return 1;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  if (!process.env.PARTNER_CENTER_CLIENT_ID?.trim()) {
    console.error('PARTNER_CENTER_CLIENT_ID is not set: set it (and PARTNER_TENANT_ID) to the app registration\'s Application (client) ID in the environment or .env, then run this again.');
    return 1;
  }
  // The device-code sign-in is a public-client flow and needs no secret; the bot needs it later, not this.
  const config = loadConfig({ ...process.env, PARTNER_CENTER_CLIENT_SECRET: process.env.PARTNER_CENTER_CLIENT_SECRET?.trim() || 'not-needed-for-consent' });
  if (!config.ok) {
    console.error(config.problems.join('\n'));
    return 1;
  }
  const pc = config.config.partnerCenter;
  if (!pc) return 1; // unreachable: a client id means Partner Center settings

  let store: StateStore | null = null;
  // A Partner Alerts may take the file while the admin agent signs in: the sentence then says the sign-in was wasted.
  let signedIn = false;
  try {
    // Checked before the sign-in, so a state file a running bot holds (or a store that cannot be used) is
    // said before anyone signs in; but only checked: opening writes (the lowdb file and its folder are made,
    // a plain stored token is sealed, the database schema is created), and a failed run must change nothing.
    await checkStore(config.config);
    const consent = await obtainConsent({
      context: { tenantId: pc.tenantId, clientId: pc.clientId, authorityHost: pc.authorityHost, partnerCenterUrl: pc.baseUrl },
      onPrompt: (prompt) => {
        console.log(`Sign in as an admin agent of the partner, with MFA: open ${prompt.verificationUri} and enter the code ${prompt.userCode} (within ${Math.round(prompt.expiresInSeconds / 60)} min).`);
        console.log('Waiting for the sign-in…');
      },
    });
    signedIn = true;
    // The token is proven: only now is the store opened, and so written.
    store = await openStore(config.config, pino({ level: 'silent' }), { tool: true });
    const where = store.backend === 'postgres' ? 'the database (DATABASE_URL)' : config.config.dataFile;
    await store.update((state) => {
      state.auth.refreshToken = consent.refreshToken;
      state.auth.usedAt = new Date().toISOString();
    });
    console.log(`Connected${consent.user ? ` as ${consent.user}` : ''}: Partner Center answered, and the refresh token is stored in ${where}.`);
    console.log('Start (or restart) Partner Alerts: it uses the stored token from now on; PARTNER_CENTER_REFRESH_TOKEN is not needed.');
    return 0;
  } catch (error) {
    console.error(problemSentence(error, signedIn));
    return 1;
  } finally {
    await store?.close();
  }
}

function problemSentence(error: unknown, signedIn: boolean): string {
  if (error instanceof ConsentError) return error.message;
  if (error instanceof StateFileError && /is in use by process/.test(error.message)) {
    const held = error.message.split(/(?<=UTC(?: on \d{4}-\d{2}-\d{2})?)\./)[0] ?? error.message;
    return `${held}: stop that Partner Alerts first, then run this again (${signedIn ? 'the sign-in was not used, and nothing was stored' : 'nothing was signed in or stored'}).`;
  }
  if (error instanceof StateFileError) return error.message;
  return `The consent failed and nothing was stored: ${(error as Error).message}`;
}

process.exitCode = await main();
