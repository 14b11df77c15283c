// The simulator's GDAP: Microsoft Graph's delegated admin relationships of the partner and their access
// assignments, built on first use relative to the simulator's clock (one relationship per customer with
// a relationship, deterministic from the seed), plus the named customers the scenario changes. Served by
// simGraph.ts; the scenario (scenario.ts) calls the `script` steps.
import type { SimDataset } from './dataset.js';
import { chance, DAY, guid, int, streamFor } from './simRandom.js';

export interface WireRelationship {
  '@odata.type': '#microsoft.graph.delegatedAdminRelationship';
  id: string;
  displayName: string;
  duration: string;
  status: string;
  autoExtendDuration: string;
  createdDateTime: string;
  activatedDateTime: string | null;
  lastModifiedDateTime: string;
  endDateTime: string | null;
  customer: { tenantId: string; displayName: string };
  accessDetails: { unifiedRoles: { roleDefinitionId: string }[] };
}

export interface WireAccessAssignment {
  '@odata.type': '#microsoft.graph.delegatedAdminAccessAssignment';
  id: string;
  status: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  accessContainer: { accessContainerId: string; accessContainerType: 'securityGroup' };
  accessDetails: { unifiedRoles: { roleDefinitionId: string }[] };
}

const ROLES = {
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  helpdesk: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  serviceSupport: 'f023fd81-a637-4b56-95fd-791ac0226033',
  exchange: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  userAdmin: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
};

/** The customers whose GDAP the scenario changes. */
export const SCENARIO_GDAP = { ending: 'Contoso', terminated: 'Fabrikam', unused: 'Northwind Traders', stuck: 'Tailspin Toys' } as const;

/** Graph writes timestamps with seven fractional digits. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export class SimGdap {
  private built: { relationships: WireRelationship[]; assignments: Map<string, WireAccessAssignment[]> } | null = null;
  private counter = 0;

  constructor(
    private readonly data: SimDataset,
    private readonly now: () => number,
  ) {}

  get relationships(): WireRelationship[] {
    return this.build().relationships;
  }

  assignmentsOf(relationshipId: string): WireAccessAssignment[] | undefined {
    const built = this.build();
    return built.relationships.some((r) => r.id === relationshipId) ? (built.assignments.get(relationshipId) ?? []) : undefined;
  }

  /** The relationships of a named customer (built first if needed). */
  of(customerName: string): WireRelationship[] {
    const customer = this.data.customerNamed(customerName);
    return customer ? this.relationships.filter((r) => r.customer.tenantId === customer.id) : [];
  }

  /** A new relationship of a named customer (status as given), with one group holding its roles unless `unused`. */
  add(customerName: string, fields: Partial<WireRelationship> & { displayName: string; status: string }, unused = false): WireRelationship | null {
    const customer = this.data.customerNamed(customerName);
    if (!customer) return null;
    const relationship = this.relationship(customer.id, customer.companyName, this.now(), fields);
    this.build().relationships.push(relationship);
    this.build().assignments.set(relationship.id, unused ? [] : [this.assignment(relationship)]);
    return relationship;
  }

  /** Takes every group off a relationship (and marks it changed, as Graph does). */
  removeAssignments(relationship: WireRelationship): void {
    this.build().assignments.set(relationship.id, []);
    relationship.lastModifiedDateTime = graphTime(this.now());
  }

  touch(relationship: WireRelationship): void {
    relationship.lastModifiedDateTime = graphTime(this.now());
  }

  private build() {
    if (this.built) return this.built;
    const now = this.now();
    const relationships: WireRelationship[] = [];
    const assignments = new Map<string, WireAccessAssignment[]>();
    const special = new Set<string>(Object.values(SCENARIO_GDAP));
    this.data.customers.forEach((customer, index) => {
      if (customer.noRelationship) return;
      const rng = streamFor(this.data.seed, index, 0x6dab);
      const named = special.has(customer.companyName);
      // Contoso's only relationship ends in 8 days without auto-extend; the rest last a while.
      const endsInDays = customer.companyName === SCENARIO_GDAP.ending ? 8 : int(rng, 60, 700);
      const autoExtend = !named && chance(rng, 0.5);
      const relationship = this.relationship(customer.id, customer.companyName, now, {
        displayName: `${customer.companyName} ${named ? 'support' : 'managed services'}`,
        status: 'active',
        autoExtendDuration: autoExtend ? 'P180D' : 'PT0S',
        endDateTime: graphTime(now + endsInDays * DAY),
        activatedDateTime: graphTime(now + endsInDays * DAY - 730 * DAY),
        createdDateTime: graphTime(now + endsInDays * DAY - 731 * DAY),
      });
      relationships.push(relationship);
      assignments.set(relationship.id, [this.assignment(relationship)]);
    });
    this.built = { relationships, assignments };
    return this.built;
  }

  private relationship(tenantId: string, name: string, now: number, fields: Partial<WireRelationship> & { displayName: string; status: string }): WireRelationship {
    const rng = streamFor(this.data.seed, ++this.counter, 0x9d1);
    return {
      '@odata.type': '#microsoft.graph.delegatedAdminRelationship',
      id: `${guid(rng)}-${guid(rng)}`,
      duration: 'P730D',
      autoExtendDuration: 'PT0S',
      createdDateTime: graphTime(now),
      activatedDateTime: null,
      lastModifiedDateTime: graphTime(now),
      endDateTime: null,
      customer: { tenantId, displayName: name },
      accessDetails: { unifiedRoles: [ROLES.globalReader, ROLES.helpdesk, ROLES.serviceSupport, ROLES.userAdmin].map((roleDefinitionId) => ({ roleDefinitionId })) },
      ...fields,
    };
  }

  private assignment(relationship: WireRelationship): WireAccessAssignment {
    const rng = streamFor(this.data.seed, ++this.counter, 0xa55);
    return {
      '@odata.type': '#microsoft.graph.delegatedAdminAccessAssignment',
      id: guid(rng),
      status: 'active',
      createdDateTime: relationship.createdDateTime,
      lastModifiedDateTime: relationship.createdDateTime,
      accessContainer: { accessContainerId: guid(rng), accessContainerType: 'securityGroup' },
      accessDetails: relationship.accessDetails,
    };
  }
}

export { ROLES as SIM_ROLES };
