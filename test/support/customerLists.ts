// Varied customer lists and the queries users type about them (full-width letters, accents composed and not,
// ligatures, Greek and Japanese names, stray spaces, tenant ids in any case), for tests that check two ways
// of matching customers give the same answers.
import type { CustomerMatch } from '../../src/domain/customerMatch.js';
import type { Customer } from '../../src/domain/types.js';

const customer = (companyName: string, domain: string, id: string): Customer => ({ id, companyName, domain, relationshipToPartner: 'reseller' });

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedCustomers(count: number, random: () => number): Customer[] {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const stems = [
    'Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Wingtip', 'Adventure Works', 'Litware', 'Proseware',
    'Ｃｏｎｔｏｓｏ', 'Café Müller', 'Cafe\u0301 Mu\u0308ller', 'Straße', 'İstanbul', 'ﬁnance Co', 'Ångström', 'Zoë',
    'Ωmega', 'ΩMEGA', '東京商事', 'Coho\u00a0Winery', '  Spaced   Out  ', 'Tab\tCompany', 'A', 'a', 'Ab', 'contoso',
  ];
  const tails = ['', '', ' Ltd', ' Electronics', ' Pharmaceuticals', ' GmbH', ' & Sons', ' 2', ' Holdings', ' Traders'];
  const hex = () => Math.floor(random() * 16).toString(16);
  const guid = () => [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, hex).join('')).join('-');
  const list: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${pick(stems)}${pick(tails)}${random() < 0.5 ? ` ${i % 97}` : ''}`;
    const domainStem = name.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').toLowerCase() || `t${i}`;
    const domain =
      random() < 0.1 ? '' : random() < 0.2 ? pick(stems) : `${domainStem}${random() < 0.3 ? '' : i}.${pick(['onmicrosoft.com', 'com', 'COM'])}`;
    const id = random() < 0.5 ? guid() : guid().toUpperCase();
    list.push(customer(name, domain, id));
  }
  return list;
}

export function queriesFor(list: readonly Customer[], random: () => number): string[] {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const queries = [
    '', '   ', 'c', 'C', 'co', 'con', 'contoso', 'CONTOSO', 'Ｃｏｎ', 'ｃｏｎｔｏｓｏ', 'cafe', 'café', 'cafe\u0301', 'straße',
    'strasse', 'i̇stanbul', 'İST', 'fi', 'ﬁ', 'ω', 'Ωmega 1', 'spaced out', '  spaced    out ', 'tab company', 'coho winery',
    'coho\u00a0winery', '東京', 'a', 'ab', 'zzzzzzzz', 'contso', 'fabrkam', 'northwnd traders', '99999999-9999-9999-9999-999999999999',
    '  ', '\t', '.com', 'onmicrosoft', 'contoso.', '-', '1', 'a 1',
  ];
  for (let i = 0; i < 150; i++) {
    const c = pick(list);
    const name = c.companyName;
    const variants = [
      name,
      name.toUpperCase(),
      ` ${name.replace(/ /g, '   ')} `,
      name.slice(0, 1 + Math.floor(random() * name.length)),
      c.domain,
      c.domain.toUpperCase(),
      c.domain.slice(0, 1 + Math.floor(random() * Math.max(1, c.domain.length))),
      c.id,
      ` ${c.id.toUpperCase()} `,
      name.slice(0, -1),
      name.slice(1),
    ];
    queries.push(pick(variants));
  }
  return queries;
}

/** What an answer says, by customer id: comparable across directories that build their own objects. */
export const summary = (match: CustomerMatch) =>
  match.kind === 'one'
    ? { kind: match.kind, ids: [match.customer.id] }
    : { kind: match.kind, ids: (match.kind === 'many' ? match.candidates : match.suggestions).map((c) => c.id) };
