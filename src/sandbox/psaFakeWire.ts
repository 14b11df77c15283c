// What the PSA fakes and their vendor routes share: the sandbox credentials and each vendor's error shape; and
// the ticket settings the sandbox uses when TICKETS names a PSA without its credentials.
import type { TicketSettings } from '../tickets/ticketSettings.js';

/** What the fakes accept; the sandbox's own values, which main.ts hands the bot when TICKETS has no credentials. */
export const PSA_SANDBOX_CREDENTIALS = {
  autotask: { username: 'partner-alerts@sandbox.example', secret: 'sandbox-autotask-secret', integrationCode: 'SANDBOXINTEGRATIONCODE', queueId: 8 },
  connectwise: { company: 'sandbox', publicKey: 'sandboxpublic', privateKey: 'sandboxprivate', clientId: '00000000-0000-4000-8000-00000000c11d', board: 'Service Board' },
} as const;

/** Each vendor's error shape: Autotask { errors: [...] }, ConnectWise { code, message, errors }. */
export function errorBody(psa: 'autotask' | 'connectwise', message: string): unknown {
  return psa === 'autotask' ? { errors: [message] } : { code: 'InvalidObject', message, errors: [] };
}


/** TICKETS without credentials (the sandbox): the simulator's fake of that PSA at `simulatorUrl`. */
export function sandboxTicketSettings(tickets: TicketSettings | null, simulatorUrl: string): TicketSettings | null {
  if (!tickets) return null;
  const psa = tickets.psa;
  if (psa.kind === 'autotask' && !psa.username) {
    const fake = PSA_SANDBOX_CREDENTIALS.autotask;
    return { ...tickets, psa: { ...psa, zoneUrl: `${simulatorUrl}/autotask/ATServicesRest/`, username: fake.username, secret: fake.secret, integrationCode: fake.integrationCode, queueId: fake.queueId } };
  }
  if (psa.kind === 'connectwise' && !psa.company) {
    const fake = PSA_SANDBOX_CREDENTIALS.connectwise;
    return { ...tickets, psa: { ...psa, url: `${simulatorUrl}/connectwise`, company: fake.company, publicKey: fake.publicKey, privateKey: fake.privateKey, clientId: fake.clientId, board: { name: fake.board } } };
  }
  return tickets;
}
