/** The solver thread's limits: its heap (MiB, `--solver-heap-mb`) and how long a round may take. */
export const SOLVER_HEAP_MIB = 512;
export const SOLVER_TIMEOUT_MS = 120_000;
/**
 * The solver thread's nice value (`--solver-nice`): on Linux a thread's own, so admission's thread goes
 * first when the container's CPU is short. Within a pod's cgroup it only weighs against Berth's own
 * threads; where other processes share the cgroup (a test machine), it weighs against them too.
 */
export const SOLVER_NICE = 10;

/** The solver's thread's name for the OS (`top -H`, /proc/<pid>/task/<tid>/comm). */
export const SOLVER_THREAD_NAME = 'berth-solver';
/**
 * The solver thread's young generation (MiB). V8 sizes it from the heap limit, to 48 MiB at 512, and
 * keeps it committed while the thread lives; a round's garbage is short-lived and a small nursery
 * plans as fast (bench:provisioner), so the thread's resident memory is its data, not its nursery.
 */
export const SOLVER_YOUNG_MIB = 12;
