// The simulator in a process of its own, for the scale measure (bench/scaleChild.ts): the app's process
// then holds only the app, so its RSS and its event-loop delay are the app's. Driven over IPC.
//   node dist/bench/simChild.js <customers> <latencyMs>
import { startSimulator } from '../src/sandbox/simulator.js';
import { activeIncident } from './support.js';

export type SimChildRequest = { type: 'incident-all'; id: string } | { type: 'close' };
export type SimChildMessage =
  | { type: 'ready'; url: string; credentials: { tenantId: string; clientId: string; clientSecret: string; refreshToken: string } }
  | { type: 'done'; affected: number };

const customers = Number(process.argv[2] ?? 1_000);
const latencyMs = Number(process.argv[3] ?? 0);
const sim = await startSimulator({ customerCount: customers, latencyMs, seed: 42, maxRecordedRequests: 1_000 });
for (const customer of sim.data.customers) sim.data.incidentsOf(customer.id); // not the lazy build during a round

const send = (message: SimChildMessage) => process.send?.(message);
process.on('message', (request: SimChildRequest) => {
  if (request.type === 'incident-all') {
    // One Microsoft-wide incident: the same object in every customer's list, as the simulator shares them.
    const incident = activeIncident(request.id);
    let affected = 0;
    for (const customer of sim.data.customers) {
      if (customer.noRelationship) continue;
      sim.data.incidentsOf(customer.id).push(incident);
      affected += 1;
    }
    send({ type: 'done', affected });
  } else if (request.type === 'close') {
    void sim.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
const { tenantId, clientId, clientSecret, refreshToken } = sim.credentials;
send({ type: 'ready', url: sim.url, credentials: { tenantId, clientId, clientSecret, refreshToken } });
