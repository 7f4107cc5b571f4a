/**
 * The labels Berth writes on users' workloads and reads back elsewhere (the provisioner, disruption),
 * in one place below all of them.
 */

/** The runtime class a workload was compiled for (the mutating webhook sets it on its pods). */
export const CLASS_LABEL = 'berth.dev/runtime-class';
