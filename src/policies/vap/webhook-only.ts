/**
 * The rules no generated policy can judge as the webhook does, and why: each reads something beyond
 * the object, its namespace and params (the ValidatingAdmissionPolicy's whole world) — the cluster's
 * other objects, the instance catalog, or a profile its words name. Pure data; a test holds every rule
 * to being either generated or listed here.
 */
import type { RuleId } from '../rules/ids.js';

const PROFILE = "it reads the workload's WorkloadProfile";
const PDBS = 'it reads the workloads, PodDisruptionBudgets and HPAs around the object';
const POOLS = "it reads the cluster's NodePools and the instance catalog";
const PROFILES = 'it reads runtime classes against the NodePools and the instance catalog';

export const WEBHOOK_ONLY: Readonly<Partial<Record<RuleId, string>>> = {
  'object-invalid': 'the API server refuses an invalid object itself, before any policy',
  'pdb-blocks-eviction': PDBS,
  'pdb-overlap': PDBS,
  'pdb-hpa-min': PDBS,
  'pdb-missing':
    "it reads the PodDisruptionBudgets that select the pods, and the workload's profile and class",
  'single-replica': "it reads the workload's HPA, WorkloadProfile and runtime class",
  'limit-request-ratio': 'it finds one thing per container: a generated policy says a fixed number of things',
  'requests-missing': "its fix names the workload's WorkloadProfile",
  'replicas-below-profile': PROFILE,
  'replicas-above-profile': PROFILE,
  'hpa-above-profile': PROFILE,
  'burst-above-profile': PROFILE,
  'zone-spread-missing': "it reads the workload's HPA and WorkloadProfile",
  'spread-unsatisfiable': POOLS,
  'placement-unsatisfiable': POOLS,
  'requests-exceed-capacity': POOLS,
  'spot-unsuitable': POOLS,
  'instance-type-pinned': "it reads the requirements the workload's NodePools add",
  'profile-missing': "it reads the namespace's WorkloadProfiles",
  'profile-schema': 'the WorkloadProfile CRD schema refuses a malformed profile itself',
  'profile-runtime-class-unknown': PROFILES,
  'profile-spot-forbidden': PROFILES,
  'profile-undrainable': PROFILES,
  'profile-zone-spread-impossible': PROFILES,
  'profile-requests-exceed-capacity': PROFILES,
  'profile-limits-exceeded': PROFILES,
  'nodepool-never-launches': 'it reads the instance catalog',
  'nodepool-instance-types-narrow': 'it reads the instance catalog',
  'nodeclass-ami-unpinned': 'it reads the NodePools that use the class',
  'nodepool-gpu-untainted': 'it reads the instance catalog',
  'nodepool-weight-tie': "it reads the cluster's other NodePools and the instance catalog",
  'nodepool-zones-implicit': "it reads the region's zones from the instance catalog",
  'nodepool-capacity-type-implicit': 'it reads the instance catalog',
};
