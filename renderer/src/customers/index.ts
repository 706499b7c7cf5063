/** Customers at the till: lookup as you type, the selected customer's loyalty, quick create (offline too). */
export { CustomerPanel, LOOKUP_DEBOUNCE_MS, prefillFrom } from './customer-panel.tsx';
export type { CustomerPanelProps } from './customer-panel.tsx';
export {
  buildNewCustomer,
  buildSignup,
  createCustomer,
  displayNameFor,
  EMPTY_NEW_CUSTOMER,
  journalThenOutbox,
  validateNewCustomer,
} from './customer-create.ts';
export type {
  CreateCustomerResult,
  EventRecorder,
  NewCustomerInput,
  NewCustomerProblems,
  SignupEvent,
} from './customer-create.ts';
export {
  CUSTOMER_RESULT_LIMIT,
  findDuplicate,
  lookupPlans,
  lookupQuery,
  searchCustomers,
} from './customer-search.ts';
export type { LookupPlan } from './customer-search.ts';
