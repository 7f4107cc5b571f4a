/** The solver thread's limits: its heap (MiB, `--solver-heap-mb`) and how long a round may take. */
export const SOLVER_HEAP_MIB = 512;
export const SOLVER_TIMEOUT_MS = 120_000;
/**
 * The solver thread's nice value (`--solver-nice`): on Linux a thread's own, so admission's thread goes
 * first when the container's CPU is short. Within a pod's cgroup it only weighs against Berth's own
 * threads; where other processes share the cgroup (a test machine), it weighs against them too.
 */
export const SOLVER_NICE = 10;
