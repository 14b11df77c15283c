// An instance that does not lead, in a process of its own (forked by bench/follower.ts from the scale run on
// PostgreSQL, whose app holds the lease): the whole app as production starts it (schedule on) on the same
// database and against the same simulator, so its RSS is one follower's. It answers the commands the
// driver sends to its /api/messages, then on request reports its memory (after a full GC too) and its lease.
//   node --expose-gc dist/bench/followerChild.js '<FollowerChildSettings as JSON>'
import path from 'node:path';
import { startApp } from '../src/app.js';
import type { Simulator } from '../src/sandbox/simulator.js';
import { TENANT } from '../test/support/activities.js';
import { simulatorConfig } from '../test/support/appConfig.js';
import { gc, silentLog, tempDir } from './support.js';

export interface FollowerChildSettings {
  databaseUrl: string;
  simUrl: string;
  credentials: { tenantId: string; clientId: string; clientSecret: string; refreshToken: string };
  requestsPerMinute: number;
}

export type FollowerChildRequest = { type: 'measure' } | { type: 'close' };
export type FollowerChildMessage =
  | { type: 'ready'; url: string; startS: number }
  | { type: 'memory'; rssMb: number; heapUsedMb: number; heapAfterGcMb: number; peakRssMb: number; leading: boolean };

const mb = (bytes: number) => bytes / 1024 / 1024;
const settings = JSON.parse(process.argv[2] ?? '{}') as FollowerChildSettings;
const started = performance.now();
const tmp = await tempDir('pa-bench-follower-');
const simLike = { url: settings.simUrl, authorityHost: settings.simUrl, credentials: settings.credentials } as unknown as Simulator;
const config = await simulatorConfig(simLike, { allowedTenantIds: [TENANT], dataFile: path.join(tmp.dir, 'state.json'), databaseUrl: settings.databaseUrl });
config.partnerCenter = { ...config.partnerCenter, requestsPerMinute: settings.requestsPerMinute, timeoutMs: 30_000 };
const app = await startApp({ config, log: silentLog });

const send = (message: FollowerChildMessage) => process.send?.(message);
process.on('message', (request: FollowerChildRequest) => {
  if (request.type === 'measure') {
    const before = process.memoryUsage();
    gc();
    gc();
    send({
      type: 'memory',
      rssMb: mb(before.rss),
      heapUsedMb: mb(before.heapUsed),
      heapAfterGcMb: mb(process.memoryUsage().heapUsed),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      leading: app.store.coordination.leadership.leading,
    });
  } else if (request.type === 'close') {
    void app
      .close()
      .then(() => tmp.remove())
      .finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: app.url, startS: (performance.now() - started) / 1000 });
