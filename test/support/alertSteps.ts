// Steps shared by the alert end-to-end tests: install, watch, read what a channel sees, read the state file.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import sinon from 'sinon';
import type { StateStore, UpdateOptions } from '../../src/store/stateStore.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { wholeState } from '../../src/store/paged.js';
import type { Harness, HarnessOptions } from './harness.js';
import { startHarness } from './harness.js';
import { cardOf, cardText, type ConnectorCall } from './fakeConnector.js';
import { CHANNEL_ID, installationUpdate, sendToBot } from './activities.js';
import { parseProblems } from './cardChecks.js';
import type { WireIncident } from '../../src/sandbox/simWire.js';
import type { State } from '../../src/store/state.js';

export const OTHER_CHANNEL_ID = '19:other@thread.tacv2';

/** Installs the bot into the incidents channel and waits for its welcome card. */
export async function install(h: Harness): Promise<void> {
  const before = h.connector.calls.length;
  const answer = await sendToBot(h.app.url, installationUpdate('add', { serviceUrl: h.connector.url }));
  assert.equal(answer.status, 200);
  await h.connector.waitFor((calls) => calls.slice(before).some((call) => call.conversationId === CHANNEL_ID && isWelcome(call)));
}

export function isWelcome(call: ConnectorCall): boolean {
  return call.status < 300 && cardText(cardOf(call)).includes('I’m Partner Alerts');
}

/** Says `watch ...` in a channel and waits for the bot to confirm it. */
export async function watch(h: Harness, command: string, channelId = CHANNEL_ID): Promise<void> {
  const before = h.connector.calls.length;
  assert.equal(await h.say(command, { channelId }), 200);
  await h.connector.waitFor((calls) =>
    calls.slice(before).some((call) => call.conversationId.startsWith(channelId) && /now watches/.test(String(call.activity.text))),
  );
}

export function customerId(h: Harness, name: string): string {
  const customer = h.sim.data.customerNamed(name);
  assert.ok(customer, `the simulator knows ${name}`);
  return customer.id;
}

/** Top-level messages of a channel (not thread replies) whose card mentions `incidentId`. */
export function incidentCards(h: Harness, incidentId: string, channelId = CHANNEL_ID): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === channelId && cardText(cardOf(call)).includes(incidentId));
}

export function edits(h: Harness, activityId: string): ConnectorCall[] {
  return h.connector.ok('update').filter((call) => call.activityId === activityId);
}

export function repliesText(h: Harness, channelId: string, rootId: string): string[] {
  return h.connector.threadReplies(channelId, rootId).map((call) => String(call.activity.text));
}

/** Marks the incident resolved for one customer only (the scenario shares one object between customers). */
export function resolveFor(h: Harness, name: string, incidentId: string): void {
  const list = h.sim.data.incidentsOf(customerId(h, name));
  const index = list.findIndex((incident) => incident.id === incidentId);
  assert.ok(index >= 0, `${name} has ${incidentId}`);
  const current = list[index] as WireIncident;
  const at = new Date().toISOString();
  list[index] = {
    ...current,
    resolved: true,
    status: 'normal',
    endTime: at,
    messages: [...current.messages, { publishedTime: at, messageText: `Title: mail flow\nUser impact: none\nCurrent status: Recovered for ${name}.` }],
  };
}

/** Takes the incident out of a customer's list, as if Partner Center stopped reporting it. */
export function vanishFor(h: Harness, name: string, incidentId: string): void {
  const list = h.sim.data.incidentsOf(customerId(h, name));
  const index = list.findIndex((incident) => incident.id === incidentId);
  assert.ok(index >= 0, `${name} has ${incidentId}`);
  list.splice(index, 1);
}

/** A new active incident in a customer's list. */
export function addIncident(h: Harness, name: string, fields: Partial<WireIncident> & { id: string }): WireIncident {
  const incident = activeIncident(fields);
  h.sim.data.incidentsOf(customerId(h, name)).push(incident);
  return incident;
}

/** An active Exchange incident as Partner Center lists it, started now. */
export function activeIncident(fields: Partial<WireIncident> & { id: string }): WireIncident {
  const at = new Date().toISOString();
  return {
    actionType: '',
    affectedWorkloadNames: ['Exchange Online'],
    category: 'Incident',
    endTime: '0001-01-01T00:00:00',
    impactedArea: `Test incident ${fields.id}`,
    impactedCustomers: 1,
    messageType: 'incident',
    messages: [{ publishedTime: at, messageText: `Title: Test incident ${fields.id}\nUser impact: some\nCurrent status: investigating.` }],
    requiredBy: '0001-01-01T00:00:00',
    resolved: false,
    severity: 'warning',
    startTime: at,
    status: 'warning',
    workload: 'Exchange Online',
    ...fields,
  };
}

/** The state file as it is on disk (what a restart would read). */
export async function stateOnDisk(h: Harness): Promise<State> {
  if (h.databaseUrl) {
    // What the database holds, read by a store of its own (a second instance that does not lead).
    const store = await PostgresStateStore.open(h.databaseUrl, { instance: false });
    const state = await wholeState(store);
    await store.close();
    return state;
  }
  return JSON.parse(await readFile(h.dataFile, 'utf8')) as State;
}

/**
 * Makes the next `update` whose change matches `crashesOn` fail before writing, as a killed process would:
 * the change is tried first on a plain copy of the whole stored state (paged records included).
 */
export function crashBefore(store: StateStore, crashesOn: (before: Readonly<State>, after: State) => boolean) {
  const realUpdate = store.update.bind(store);
  const seen: State[] = [];
  const stub = sinon.stub(store, 'update').callsFake(async <T>(change: (draft: State) => T, options?: UpdateOptions): Promise<T> => {
    const before = await wholeState(store);
    const probe = structuredClone(before);
    change(probe);
    if (crashesOn(before, probe)) {
      seen.push(probe);
      throw new Error('stopped before the write');
    }
    return realUpdate(change, options);
  });
  return { stub, seen };
}

/** GET /healthz over real HTTP. */
export async function healthz(h: Harness): Promise<{
  status: string;
  sweep: { lastRound: State['lastCycle'] };
  targets: { active: number; inactive: number };
  deliveries: { pending: number; failing: number };
}> {
  const response = await fetch(`${h.app.url}/healthz`);
  assert.equal(response.status, 200);
  return (await response.json()) as never;
}

/** Byte size of a card as Teams would receive it. */
export function cardBytes(call: ConnectorCall | undefined): number {
  return Buffer.byteLength(JSON.stringify(cardOf(call) ?? null), 'utf8');
}

/** Parse warnings of the adaptivecards renderer; [] for a card Teams can show. */
export const cardProblems = parseProblems;

/** A harness whose Partner Center requests time out after `timeoutMs`. */
export function startHarnessWithTimeout(timeoutMs: number, options: HarnessOptions = {}): Promise<Harness> {
  return startHarness({ ...options, partnerCenter: { ...options.partnerCenter, timeoutMs } });
}
