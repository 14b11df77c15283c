// The GDAP access commands end to end over real HTTP (simulator as Partner Center and Graph, app, fake Bot
// Connector): "access for" with its relationships, the line when none is active and its buttons; "access
// expiring" soonest first, its rows opening "access for"; the bad inputs' sentences; "watches" listing an
// access watch; "poll now" including a listing; a Graph 403 naming the permission.
import assert from 'node:assert/strict';
import { SCENARIO_GDAP } from '../../src/sandbox/simGdap.js';
import { customerId, install, watch } from '../support/alertSteps.js';
import { askForCard, buttonIn, buttonsOf, click } from '../support/clicks.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertGoodCard } from '../support/cardChecks.js';
import type { AdaptiveCardJson } from '../../src/cards.js';

const LISTING = '/v1.0/tenantRelationships/delegatedAdminRelationships';

describe('GDAP access commands, end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.app.directory.reload();
  });
  afterEach(async () => {
    await h.close();
  });

  it('"access for contoso": each relationship in words, its groups, and Customer, Refresh and Open in Partner Center', async () => {
    const answer = await askForCard(h, 'access for contoso');
    assertGoodCard(answer.card as AdaptiveCardJson);
    assert.match(answer.text, /^GDAP access · Contoso\n1 relationship · as of /);
    assert.doesNotMatch(answer.text, /is active: the partner has no admin access/);
    assert.match(answer.text, /Contoso support\nActive · ends \d{1,2} [A-Z][a-z]{2} \(8 days left\) · auto-extend no\nRoles: Global Reader, Helpdesk Administrator, Service Support Administrator, User Administrator\nSecurity groups: [0-9a-f-]{36}/);
    assert.deepEqual(buttonsOf(answer.card).map((b) => b.title), ['Customer', 'Refresh']);
    const actions = answer.card.actions as { type: string; title: string; url?: string }[];
    assert.deepEqual(actions.at(-1), { type: 'Action.OpenUrl', title: 'Open in Partner Center', url: `https://partner.microsoft.com/dashboard/v2/customers/${customerId(h, 'Contoso')}/adminrelationships` });
    const filtered = h.sim.requests.filter((r) => r.path === LISTING);
    assert.deepEqual(filtered.map((r) => r.query.$filter), [`customer/tenantId eq '${customerId(h, 'Contoso')}'`], 'one customer\'s relationships, by $filter');
  });

  it('says at the top when no relationship is active', async () => {
    const [fabrikam] = h.sim.gdap.of(SCENARIO_GDAP.terminated);
    assert.ok(fabrikam);
    fabrikam.status = 'terminated';
    const answer = await askForCard(h, 'access for fabrikam');
    assert.match(answer.text, /^GDAP access · Fabrikam\n1 relationship · as of [^\n]+\nNo GDAP relationship with Fabrikam is active: the partner has no admin access to it now\.\nFabrikam support\nTerminated/);
  });

  it('an unknown customer gets one clear sentence', async () => {
    const answer = await askForCard(h, 'access for nosuchcompany');
    assert.match(answer.text, /^No such customer\nNo customer's name or domain starts with “nosuchcompany”\./);
  });

  it('"access expiring" lists Contoso (8 days) with no customer whose access is covered for longer; a row opens "access for"', async () => {
    const answer = await askForCard(h, 'access expiring');
    assertGoodCard(answer.card as AdaptiveCardJson);
    assert.match(answer.text, /^Access ending within 30 days\n1 customer · as of [^\n]+\n(?:Access\n)*Contoso\nAccess ends \d{1,2} [A-Z][a-z]{2} \(8 days left\)/);
    const opened = await click(h, buttonIn(answer.card, 'Access'), answer.id);
    assert.match(opened.text, /^GDAP access · Contoso\n/);
    const none = await askForCard(h, 'access expiring 7');
    assert.match(none.text, /No customer’s GDAP access ends within 7 days: each has a later relationship or one that auto-extends\./);
  });

  it('while access is watched, answers from the last listing (as of then) without asking Graph again', async () => {
    await install(h);
    await watch(h, 'watch access all');
    await h.app.engine.sweepNow();
    const listedAt = h.app.store.read().accessListing.fetchedAt ?? '';
    const before = h.sim.requests.filter((r) => r.path.startsWith('/v1.0/')).length;
    const stored = Object.keys((await h.app.store.view({ accessSnapshots: 'all' })).accessSnapshots);
    const loaded: unknown[] = [];
    const view = h.app.store.view.bind(h.app.store);
    h.app.store.view = (loads) => {
      loaded.push(loads.accessSnapshots);
      return view(loads);
    };
    const answer = await askForCard(h, 'access expiring');
    assert.equal(h.sim.requests.filter((r) => r.path.startsWith('/v1.0/')).length, before, 'no Graph request');
    // Only the snapshots whose facts say access ends within the 30 days (or is lost), found by a query.
    assert.equal(loaded.length, 1);
    const keys = loaded[0];
    assert.ok(Array.isArray(keys), `a list of customers, not ${JSON.stringify(keys)}`);
    assert.ok(keys.includes(customerId(h, 'Contoso')), 'Contoso, whose access ends in 8 days');
    assert.ok(stored.length > 10 && keys.length < stored.length / 2, `${keys.length} of ${stored.length} snapshots loaded`);
    assert.match(answer.text, new RegExp(`^Access ending within 30 days\\n1 customer · as of [^\\n]*${listedAt.slice(11, 16)} UTC\\n(?:Access\\n)*Contoso\\n`));
  });

  it('sorts soonest first and pages 25 to a card', async () => {
    // Thirty customers whose access ends in 10..39 days, in scrambled order, none auto-extending.
    const relationships = h.sim.gdap.relationships.filter((r) => r.customer.displayName !== 'Contoso').slice(0, 30);
    relationships.forEach((r, i) => {
      r.autoExtendDuration = 'PT0S';
      r.endDateTime = new Date(Date.now() + (10 + ((i * 7) % 30)) * 86_400_000).toISOString();
    });
    const answer = await askForCard(h, 'access expiring 60');
    const lefts = [...answer.text.matchAll(/\((\d+) days left\)/g)].map((m) => Number(m[1]));
    assert.equal(lefts.length, 25, 'a page holds 25');
    assert.deepEqual(lefts, [...lefts].sort((a, b) => a - b), 'soonest first');
    assert.equal(lefts[0], 8, 'Contoso first');
    const total = Number(/^Access ending within 60 days\n(\d+) customers · page 1 of 2/.exec(answer.text)?.[1]);
    assert.ok(total > 25 && total <= 50, `${total} customers on two pages`);
    const next = await click(h, buttonIn(answer.card, 'Next'), answer.id);
    assert.match(next.text, /page 2 of 2/);
    assert.equal([...next.text.matchAll(/days left\)/g)].length, total - 25, 'the rest on page 2');
  });

  it('refuses 0, 1000 and a word with one sentence naming the range', async () => {
    for (const days of ['0', '1000', 'soon']) {
      const answer = await askForCard(h, `access expiring ${days}`);
      assert.match(answer.text, new RegExp(`^Not quite\\n“${days}” is not a number of days: “access expiring” takes 1 to 365 days\\.`));
    }
  });

  it('"watches" lists an access watch with its command; "unwatch access all" removes it', async () => {
    await install(h);
    await watch(h, 'watch access all');
    const list = await askForCard(h, 'watches');
    assert.match(list.text, /GDAP access: \nEvery customer\nEvery severity · access ending, lost and back, stuck approvals, relationships nobody can use/);
    assert.match(list.text, /unwatch access all/);
    const before = h.connector.calls.length;
    await h.say('unwatch access all');
    await h.connector.waitFor((calls) => calls.slice(before).some((call) => /stopped watching the GDAP access of all customers/.test(String(call.activity.text))));
    assert.deepEqual(h.app.store.read().watches, []);
  });

  it('"poll now" includes a listing while a conversation watches access, even within GDAP_POLL_MINUTES', async () => {
    await install(h);
    await watch(h, 'watch access all');
    await h.app.engine.sweepNow();
    const listings = () => h.sim.requests.filter((r) => r.path === LISTING && !('$skiptoken' in r.query)).length;
    assert.equal(listings(), 1);
    await h.app.engine.sweepNow();
    assert.equal(listings(), 1, 'a scheduled round within the hour lists nothing');
    const before = h.connector.calls.length;
    await h.say('poll now');
    await h.connector.waitFor((calls) => calls.slice(before).some((call) => /Checking/.test(String(call.activity.text))));
    const answer = h.connector.calls.slice(before).map((call) => String(call.activity.text ?? '')).join('\n');
    assert.match(answer, /Checking 1 GDAP listing/);
    await h.connector.waitFor(() => listings() === 2);
  });

  it('a Graph 403 names the permission to grant', async () => {
    h.sim.faults.add({ path: LISTING, status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } });
    const answer = await askForCard(h, 'access for contoso');
    assert.match(answer.text, /^Microsoft Graph refused access\n.*application permission DelegatedAdminRelationship\.Read\.All/);
    assert.doesNotMatch(answer.text, /at .*\.js|Error:/, 'no stack trace');
  });
});
