export { CRM_ACCESS, crmContract } from './crm.contract.js';
export * from './customers.schemas.js';
export { type KeptField, updatedValue } from './kept-values.js';
export { type LeadInsights, leadInsights, summarizeNotes } from './lead-insights.js';
export { salesContract } from './sales.contract.js';
export * from './stats.schemas.js';
export * from './statuses.schemas.js';
