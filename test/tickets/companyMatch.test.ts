// Matching a customer to its PSA company without a person: by domain against the web address, or exact name.
import assert from 'node:assert/strict';
import { candidateCompanies, matchCompany, webHost } from '../../src/tickets/companyMatch.js';

const companies = [
  { id: 1, name: 'Contoso Ltd', webAddress: 'https://www.contoso.com/about' },
  { id: 2, name: 'Fabrikam, Inc.', webAddress: null },
  { id: 3, name: 'Northwind Traders', webAddress: null },
  { id: 4, name: 'Fabrikam Residences', webAddress: 'fabrikamresidences.com' },
];

describe('company matching', () => {
  it('matches the customer\'s domain against the web address, whatever its scheme, www. or path', () => {
    assert.equal(matchCompany({ name: 'Contoso', domains: ['contoso.com'] }, companies)?.id, 1);
    assert.equal(webHost('WWW.Contoso.com/x'), 'contoso.com');
    assert.equal(webHost('  '), null);
  });

  it('matches an exact name, case and spacing aside, and nothing looser', () => {
    assert.equal(matchCompany({ name: 'northwind  traders', domains: ['northwind.onmicrosoft.com'] }, companies)?.id, 3);
    assert.equal(matchCompany({ name: 'Fabrikam', domains: ['fabrikam.onmicrosoft.com'] }, companies), null);
  });

  it('two companies with the same name are left to a person', () => {
    const twins = [...companies, { id: 5, name: 'Northwind Traders', webAddress: null }];
    assert.equal(matchCompany({ name: 'Northwind Traders', domains: [] }, twins), null);
  });

  it('proposes the likely companies, closest first', () => {
    assert.deepEqual(candidateCompanies({ name: 'Fabrikam', domains: ['fabrikam.onmicrosoft.com'] }, companies).map((c) => c.id), [2, 4]);
    assert.deepEqual(candidateCompanies({ name: 'Tailspin Toys', domains: ['tailspintoys.onmicrosoft.com'] }, companies), []);
  });
});
