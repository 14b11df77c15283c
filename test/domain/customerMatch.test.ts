import assert from 'node:assert/strict';
import { closestCustomers, CustomerIndex, isTenantId, matchCustomer, type CustomerMatch } from '../../src/domain/customerMatch.js';
import type { Customer } from '../../src/domain/types.js';
import { generatedCustomers, prng, queriesFor, summary } from '../support/customerLists.js';
import type { PartnerCenterClient } from '../../src/partnerCenter/client.js';
import { MemoryCustomerDirectory } from '../../src/partnerCenter/memoryDirectory.js';

const customer = (companyName: string, domain: string, id: string): Customer => ({
  id,
  companyName,
  domain,
  relationshipToPartner: 'reseller',
});

const customers = [
  customer('Contoso', 'contoso.onmicrosoft.com', '11111111-1111-1111-1111-111111111111'),
  customer('Contoso Electronics', 'contosoelectronics.onmicrosoft.com', '22222222-2222-2222-2222-222222222222'),
  customer('Contoso Pharmaceuticals', 'contosopharma.onmicrosoft.com', '33333333-3333-3333-3333-333333333333'),
  customer('Fabrikam', 'fabrikam.onmicrosoft.com', '44444444-4444-4444-4444-444444444444'),
  customer('Northwind Traders', 'northwindtraders.com', '55555555-5555-5555-5555-555555555555'),
];

describe('customer matching', () => {
  it('prefers an exact company name over prefixes', () => {
    const match = matchCustomer('contoso', customers);
    assert.equal(match.kind, 'one');
    assert.equal(match.kind === 'one' && match.customer.companyName, 'Contoso');
  });

  it('matches an exact domain and a tenant id', () => {
    const byDomain = matchCustomer('NorthwindTraders.com', customers);
    assert.equal(byDomain.kind === 'one' && byDomain.customer.companyName, 'Northwind Traders');
    const byId = matchCustomer('44444444-4444-4444-4444-444444444444', customers);
    assert.equal(byId.kind === 'one' && byId.customer.companyName, 'Fabrikam');
  });

  it('accepts a unique prefix', () => {
    const match = matchCustomer('north', customers);
    assert.equal(match.kind === 'one' && match.customer.companyName, 'Northwind Traders');
  });

  it('never guesses between several prefix matches', () => {
    const match = matchCustomer('con', customers);
    assert.equal(match.kind, 'many');
    assert.deepEqual(
      match.kind === 'many' && match.candidates.map((c) => c.companyName),
      ['Contoso', 'Contoso Electronics', 'Contoso Pharmaceuticals'],
    );
  });

  it('suggests the closest names when nothing matches', () => {
    const match = matchCustomer('contso', customers);
    assert.equal(match.kind, 'none');
    assert.equal(match.kind === 'none' && match.suggestions[0]?.companyName, 'Contoso');
    const nothing = matchCustomer('zzzzzzzz', customers);
    assert.deepEqual(nothing, { kind: 'none', suggestions: [] });
  });

  it('does not match an unknown tenant id to anything', () => {
    assert.deepEqual(matchCustomer('99999999-9999-9999-9999-999999999999', customers), { kind: 'none', suggestions: [] });
  });
});

/** matchCustomer as it was before CustomerIndex: a plain scan that folds every name on every query. */
function referenceMatch(query: string, list: readonly Customer[]): CustomerMatch {
  const fold = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const byName = (found: Customer[]) => [...found].sort((a, b) => a.companyName.localeCompare(b.companyName));
  const wanted = fold(query);
  if (wanted === '') return { kind: 'none', suggestions: [] };
  if (isTenantId(wanted)) {
    const byId = list.find((c) => c.id.toLowerCase() === wanted);
    return byId ? { kind: 'one', customer: byId } : { kind: 'none', suggestions: [] };
  }
  const exact = list.filter((c) => fold(c.companyName) === wanted || fold(c.domain) === wanted);
  if (exact.length === 1 && exact[0]) return { kind: 'one', customer: exact[0] };
  if (exact.length > 1) return { kind: 'many', candidates: byName(exact) };
  const prefixed = list.filter((c) => fold(c.companyName).startsWith(wanted) || fold(c.domain).startsWith(wanted));
  if (prefixed.length === 1 && prefixed[0]) return { kind: 'one', customer: prefixed[0] };
  if (prefixed.length > 1) return { kind: 'many', candidates: byName(prefixed) };
  return { kind: 'none', suggestions: closestCustomers(wanted, list, 3) };
}

describe('customer index', () => {
  for (const [label, seed, sorted] of [
    ['a list in Partner Center order', 1, false],
    ['a list in name order, as the directory keeps it', 2, true],
  ] as const) {
    it(`answers exactly like a plain scan on ${label}`, () => {
      const random = prng(seed);
      const list = generatedCustomers(2_000, random);
      if (sorted) list.sort((a, b) => a.companyName.localeCompare(b.companyName));
      const index = new CustomerIndex(list);
      const kinds = new Set<string>();
      for (const [n, query] of queriesFor(list, random).entries()) {
        const expected = referenceMatch(query, list);
        kinds.add(expected.kind);
        const fromIndex = index.match(query);
        assert.deepEqual(summary(fromIndex), summary(expected), `query ${JSON.stringify(query)}`);
        // Same objects, not look-alikes: callers compare customers by reference.
        if (fromIndex.kind === 'one' && expected.kind === 'one') assert.equal(fromIndex.customer, expected.customer);
        // matchCustomer builds a throwaway index per call: check it on a share of the queries only.
        if (n % 4 === 0) assert.deepEqual(summary(matchCustomer(query, list)), summary(expected), `matchCustomer ${JSON.stringify(query)}`);
      }
      assert.deepEqual([...kinds].sort(), ['many', 'none', 'one'], 'the queries reach every outcome');
    });
  }

  it('keeps the candidate order of a plain scan when names tie', () => {
    const twins = [
      customer('Twin', 'b.example', 'bbbbbbbb-0000-0000-0000-000000000000'),
      customer('twin', 'a.example', 'aaaaaaaa-0000-0000-0000-000000000000'),
      customer('Twin', 'c.example', 'cccccccc-0000-0000-0000-000000000000'),
      customer('Twin Two', 'twin', 'dddddddd-0000-0000-0000-000000000000'),
    ];
    for (const query of ['twin', 'TWIN', 'tw', 'twin t']) {
      assert.deepEqual(summary(new CustomerIndex(twins).match(query)), summary(referenceMatch(query, twins)), query);
    }
  });

  it('finds a customer by tenant id in any case', () => {
    const index = new CustomerIndex(customers);
    assert.equal(index.byTenantId('55555555-5555-5555-5555-555555555555')?.companyName, 'Northwind Traders');
    assert.equal(index.byTenantId('AAAAAAAA-0000-0000-0000-000000000000'), undefined);
    assert.equal(index.size, customers.length);
  });
});

describe('customer directory', () => {
  /** A client whose customer listing is scripted: a list, or an error. */
  function scriptedClient(listings: (Customer[] | Error)[]) {
    let calls = 0;
    const client = {
      async *allCustomers() {
        const next = listings[Math.min(calls++, listings.length - 1)];
        if (next instanceof Error) throw next;
        yield next ?? [];
      },
    };
    return { client: client as unknown as PartnerCenterClient, calls: () => calls };
  }

  it('resolves through the index of the last listing and keeps that listing when the next one fails', async () => {
    const renamed = customers.map((c) => (c.companyName === 'Fabrikam' ? { ...c, companyName: 'Fabrikam Residences' } : c));
    const { client } = scriptedClient([customers, new Error('Partner Center is down'), renamed]);
    const directory = new MemoryCustomerDirectory(client, { ttlMs: 60 * 60_000 });
    const ctx = { correlationId: 'test' };
    assert.equal(await directory.known(), null);
    await directory.reload(ctx);
    const loaded = await directory.known();
    assert.deepEqual(loaded?.map((c) => c.companyName), ['Contoso', 'Contoso Electronics', 'Contoso Pharmaceuticals', 'Fabrikam', 'Northwind Traders']);
    assert.deepEqual(summary(await directory.resolve(ctx, 'con')), summary(matchCustomer('con', customers)));
    assert.equal(directory.find('44444444-4444-4444-4444-444444444444')?.companyName, 'Fabrikam');

    await assert.rejects(directory.reload(ctx), /Partner Center is down/);
    assert.equal(await directory.known(), loaded, 'a failed listing keeps the last known list');

    await directory.reload(ctx);
    assert.equal((await directory.known())?.find((c) => c.id.startsWith('4444'))?.companyName, 'Fabrikam Residences');
    const match = await directory.resolve(ctx, 'fabrikam r');
    assert.equal(match.kind === 'one' && match.customer.companyName, 'Fabrikam Residences');
  });
});
