import assert from 'node:assert/strict';
import { matchCustomer } from '../../src/domain/customerMatch.js';
import type { Customer } from '../../src/domain/types.js';

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
