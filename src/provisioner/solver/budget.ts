/** What `berth plan` and the provisioner let the solver's improvement phase spend by default (ms). */
export const DEFAULT_BUDGET_MS = 200;
