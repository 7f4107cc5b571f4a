/**
 * A pod's volumes as kube-scheduler's VolumeBinding and VolumeZone plugins see them: each
 * PersistentVolumeClaim it mounts, whether it exists and is bound, and the zones its PersistentVolume's
 * node affinity allows (an EBS volume lives in one zone; a pod using it can run only there). A waiting
 * pod is planned only in those zones, as Karpenter's VolumeTopology narrows it: a StatefulSet pod whose
 * volume is in us-east-1c never gets a node in us-east-1a it could not start on. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { LABEL } from '../../catalog/instance-type.js';

/** The zone labels a PersistentVolume's node affinity may name (the CSI driver's own among them). */
const ZONE_KEYS = new Set([
  LABEL.zone,
  'failure-domain.beta.kubernetes.io/zone',
  'topology.ebs.csi.aws.com/zone',
]);

export interface ClaimState {
  readonly claim: string;
  /** The claim is not in the cluster: kube-scheduler will not place the pod. */
  readonly missing?: boolean;
  /** The PersistentVolume it is bound to, if bound. */
  readonly volume?: string;
  /** Zones the bound volume can be used from (undefined: any). */
  readonly zones?: readonly string[];
  /** Bound to a PersistentVolume not seen yet (a cache behind the API server): its zones are unknown. */
  readonly unseen?: boolean;
}

interface PvcShape {
  spec?: { volumeName?: string };
  status?: { phase?: string };
}
interface PvShape {
  spec?: {
    nodeAffinity?: {
      required?: {
        nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[];
      };
    };
  };
}

/** The zones a PersistentVolume's required node affinity allows, if it names any. */
function zonesOf(pv: KubeObject): string[] | undefined {
  const terms = (pv as PvShape).spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const zones = new Set<string>();
  let named = false;
  for (const t of terms)
    for (const e of t.matchExpressions ?? [])
      if (ZONE_KEYS.has(e.key) && e.operator === 'In') {
        named = true;
        for (const v of e.values ?? []) zones.add(v);
      }
  return named ? [...zones].sort() : undefined;
}

/** One claim's state: there or not, bound or not, and its volume's zones. */
function claimState(
  claim: string,
  ephemeral: boolean,
  pvc: KubeObject | undefined,
  pvs: readonly KubeObject[],
): ClaimState {
  // A generic ephemeral volume's claim is made with the pod; its absence is no fault yet.
  if (!pvc) return ephemeral ? { claim } : { claim, missing: true };
  const volume = (pvc as PvcShape).spec?.volumeName;
  if (volume === undefined || volume === '') return { claim };
  const pv = pvs.find((p) => p.metadata?.name === volume);
  if (!pv) return { claim, volume, unseen: true };
  const zones = zonesOf(pv);
  return { claim, volume, ...(zones ? { zones } : {}) };
}

export function claimsOf(pod: V1Pod, pvcs: readonly KubeObject[], pvs: readonly KubeObject[]): ClaimState[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: ClaimState[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const ephemeral = v.ephemeral !== undefined;
    const claim =
      v.persistentVolumeClaim?.claimName ?? (ephemeral ? `${pod.metadata?.name ?? ''}-${v.name}` : undefined);
    if (claim === undefined) continue;
    const pvc = pvcs.find((c) => c.metadata?.name === claim && (c.metadata.namespace ?? 'default') === ns);
    out.push(claimState(claim, ephemeral, pvc, pvs));
  }
  return out;
}

/** The zones every bound volume of the pod allows (undefined when none restricts it). */
export function volumeZones(claims: readonly ClaimState[]): string[] | undefined {
  let zones: string[] | undefined;
  for (const c of claims) {
    if (c.zones === undefined) continue;
    zones = zones === undefined ? [...c.zones] : zones.filter((z) => c.zones?.includes(z));
  }
  return zones;
}

/** The volumes a round reads: the PersistentVolumeClaims and PersistentVolumes of the cluster. */
export interface Volumes {
  readonly pvcs: readonly KubeObject[];
  readonly pvs: readonly KubeObject[];
}

/** Whether the pod mounts any claim (most pods do not: they are returned as they are, at no cost). */
const claimsAny = (pod: V1Pod): boolean =>
  pod.spec?.volumes?.some((v) => v.persistentVolumeClaim !== undefined || v.ephemeral !== undefined) === true;

/**
 * Whether a waiting pod mounts a claim not seen yet, or a bound claim whose PersistentVolume is not
 * seen yet: its zones are unknown, so the pod waits for the next round rather than get a node in a
 * zone its volume may not be in (Karpenter ignores a pod whose claim it cannot find, and its
 * VolumeTopology one whose volume it cannot read; kube-scheduler places neither).
 */
export function awaitsVolume(pod: V1Pod, v: Volumes): boolean {
  return claimsAny(pod) && claimsOf(pod, v.pvcs, v.pvs).some((c) => c.unseen === true || c.missing === true);
}

/** The pod, its required node affinity narrowed to the zones of its bound volumes (a copy, when narrowed). */
export function withVolumeZones(pod: V1Pod, v: Volumes): V1Pod {
  if (!claimsAny(pod)) return pod;
  const zones = volumeZones(claimsOf(pod, v.pvcs, v.pvs));
  if (zones === undefined) return pod;
  const out = structuredClone(pod);
  const spec = (out.spec ??= { containers: [] });
  const affinity = (spec.affinity ??= {});
  const node = (affinity.nodeAffinity ??= {});
  const required = (node.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
  const zone = { key: LABEL.zone, operator: 'In', values: zones };
  if (required.nodeSelectorTerms.length === 0) required.nodeSelectorTerms.push({ matchExpressions: [zone] });
  else for (const t of required.nodeSelectorTerms) t.matchExpressions = [...(t.matchExpressions ?? []), zone];
  return out;
}
