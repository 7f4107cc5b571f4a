/** The solver thread's limits: its heap (MiB, `--solver-heap-mb`) and how long a round may take. */
export const SOLVER_HEAP_MIB = 512;
export const SOLVER_TIMEOUT_MS = 120_000;
