import type { CohortCounts, FlowCounts, FunnelInputs } from '../../src/domain/reports/funnel.js';

/** A funnel's inputs for a period in which nothing happened but the counts given. */
export function funnelInputs(
  over: { flow?: Partial<FlowCounts>; cohort?: Partial<CohortCounts> } & Partial<
    Omit<FunnelInputs, 'flow' | 'cohort'>
  > = {},
): FunnelInputs {
  return {
    leadCohort: { created: 0, customers: 0 },
    rejections: [],
    ...over,
    flow: {
      leadsCreated: 0,
      handoffsStarted: 0,
      accepted: 0,
      rejected: 0,
      sql: 0,
      opportunity: 0,
      customer: 0,
      lost: 0,
      customersFromMarketing: 0,
      ...over.flow,
    },
    cohort: {
      started: 0,
      pending: 0,
      accepted: 0,
      rejected: 0,
      reachedSql: 0,
      reachedOpportunity: 0,
      reachedCustomer: 0,
      ...over.cohort,
    },
  };
}
