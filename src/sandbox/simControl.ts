// /_sim/ control endpoints (no auth): the same levers the Simulator object gives in-process, for a
// sandbox demo (`curl -X POST .../_sim/scenario/step`) or tests that run the bot in another process.

import { deviceLoginPage, SIGN_IN_OUTCOMES, type SignInPlan } from './simDeviceCode.js';
import { faultFromJson } from './simFaults.js';
import { readBody, reply, type Exchange } from './simHttp.js';
import type { TokenService } from './simAuth.js';
import type { Simulator } from './simulator.js';

export async function control(ex: Exchange, sim: Simulator, tokens: TokenService): Promise<void> {
  const route = `${ex.method} ${ex.path.replace(/\/$/, '')}`;
  switch (route) {
    case 'POST /_sim/scenario/step':
      return reply(ex, 200, sim.scenario.step());
    case 'GET /_sim/state':
      return reply(ex, 200, state(sim, tokens));
    case 'GET /_sim/requests': {
      const since = Number(ex.query.get('since') ?? 0);
      return reply(ex, 200, sim.requests.filter((r) => r.at >= since));
    }
    case 'GET /_sim/faults':
      return reply(ex, 200, sim.faults.pending.map((r) => ({ ...r, path: String(r.path) })));
    case 'DELETE /_sim/faults': {
      const cleared = sim.faults.pending.length;
      sim.faults.clear();
      return reply(ex, 200, { cleared });
    }
    case 'POST /_sim/faults': {
      let rule;
      try {
        rule = faultFromJson(JSON.parse(await readBody(ex.req)));
      } catch (error) {
        return reply(ex, 400, { error: error instanceof Error ? error.message : String(error) });
      }
      const handle = sim.faults.add(rule);
      return reply(ex, 201, { id: handle.id, remaining: handle.remaining === Infinity ? 'Infinity' : handle.remaining });
    }
    case 'POST /_sim/device-sign-in':
      return planSignIn(ex, sim);
    case 'GET /_sim/devicelogin':
      return page(ex, 200, deviceLoginPage());
    case 'POST /_sim/devicelogin': {
      const form = new URLSearchParams(await readBody(ex.req));
      const answer = form.get('answer') === 'decline' ? 'decline' : 'approve';
      const known = sim.deviceSignIn.decide(form.get('code') ?? '', answer);
      return page(ex, known ? 200 : 404, known ? `<p>Done (${answer}). Go back to the terminal.</p>` : deviceLoginPage('That code is unknown or has expired.'));
    }
    default:
      return reply(ex, 404, {
        error: `unknown control endpoint ${route}`,
        endpoints: ['POST /_sim/scenario/step', 'GET /_sim/state', 'GET /_sim/requests?since=<ms>', 'GET|POST|DELETE /_sim/faults', 'POST /_sim/device-sign-in', 'GET|POST /_sim/devicelogin'],
      });
  }
}

function state(sim: Simulator, tokens: TokenService) {
  const contoso = sim.data.customerNamed('Contoso');
  return {
    url: sim.url,
    seed: sim.data.seed,
    customers: sim.data.customers.length,
    tokensIssued: tokens.issued,
    requests: sim.requestCount,
    faultsPending: sim.faults.pending.length,
    scenario: sim.scenario.history.at(-1) ?? null,
    contoso: contoso && {
      id: contoso.id,
      activeIncidents: sim.data.incidentsOf(contoso.id).filter((i) => !i.resolved).map((i) => `${i.id} (${i.severity})`),
      orders: sim.data.ordersOf(contoso.id).map((o) => ({
        id: o.order.id,
        status: o.order.status,
        provisioning: o.provisioning ? o.provisioning.map((l) => l.status) : 'unavailable',
      })),
    },
  };
}

/** Body: `{"outcome": "approve" | "decline" | ..., "pendingPolls"?: n, "slowDowns"?: n}` for the next sign-ins. */
async function planSignIn(ex: Exchange, sim: Simulator): Promise<void> {
  let plan: SignInPlan;
  try {
    plan = JSON.parse(await readBody(ex.req)) as SignInPlan;
  } catch {
    return reply(ex, 400, { error: 'the body is not JSON' });
  }
  const counts = [plan.pendingPolls, plan.slowDowns].every((n) => n === undefined || (Number.isInteger(n) && n >= 0));
  if (!SIGN_IN_OUTCOMES.includes(plan.outcome) || !counts) {
    return reply(ex, 400, { error: `outcome must be one of ${SIGN_IN_OUTCOMES.join(', ')}; pendingPolls and slowDowns whole numbers` });
  }
  sim.deviceSignIn.plan({ outcome: plan.outcome, pendingPolls: plan.pendingPolls, slowDowns: plan.slowDowns });
  return reply(ex, 200, { planned: plan.outcome });
}

function page(ex: Exchange, status: number, html: string): void {
  ex.res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  ex.res.end(html);
}
