/**
 * The volumes a moved workload takes with it: every PersistentVolumeClaim its pods mount (a volume of
 * the pod template, or a StatefulSet's volumeClaimTemplates), with its StorageClass, the class's
 * provisioner and, once bound, the zone its PersistentVolume lives in. Two migrations lose them:
 * - to EKS Auto Mode: Auto Mode nodes attach EBS volumes through `ebs.csi.eks.amazonaws.com` only; a
 *   volume the EBS CSI driver made (`ebs.csi.aws.com`, or the in-tree `kubernetes.io/aws-ebs`) cannot
 *   be mounted there (AWS's migration guide), so the pods would wait for ever or start without data;
 * - to NodePools whose zones leave out a bound EBS volume's zone: EBS volumes are zonal.
 * Each is a decision (`decide`), with the ways across. Pure.
 */
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { podTemplateOf } from '../kube/workload.js';
import { decide, note, type Finding } from './findings.js';
import { workloadId } from './workloads.js';

export const AUTO_MODE_EBS = 'ebs.csi.eks.amazonaws.com';
const SELF_MANAGED_EBS: ReadonlySet<string> = new Set(['ebs.csi.aws.com', 'kubernetes.io/aws-ebs']);
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const ZONE_KEYS = [
  'topology.ebs.csi.aws.com/zone',
  'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/zone',
];

/** The storage objects of a migration's input. */
export interface Storage {
  readonly claims: ReadonlyMap<string, V1PersistentVolumeClaim>;
  readonly classes: ReadonlyMap<string, V1StorageClass>;
  readonly volumes: ReadonlyMap<string, V1PersistentVolume>;
  /** The class a claim that names none gets. */
  readonly defaultClass: string | undefined;
}

export function storageOf(objects: readonly KubeObject[]): Storage {
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
  const classes = of<V1StorageClass>('StorageClass');
  return {
    claims: new Map(
      of<V1PersistentVolumeClaim>('PersistentVolumeClaim').map((c) => [
        `${c.metadata?.namespace ?? 'default'}/${c.metadata?.name ?? ''}`,
        c,
      ]),
    ),
    classes: new Map(classes.map((c) => [c.metadata?.name ?? '', c])),
    volumes: new Map(of<V1PersistentVolume>('PersistentVolume').map((v) => [v.metadata?.name ?? '', v])),
    defaultClass: classes.find((c) => c.metadata?.annotations?.[DEFAULT_CLASS] === 'true')?.metadata?.name,
  };
}

/** One claim a workload's pods mount. */
export interface ClaimUse {
  /** The claim's name, or the StatefulSet template's (`<template>-<statefulset>-N` claims). */
  readonly claim: string;
  readonly field: string;
  readonly storageClass: string | undefined;
  readonly provisioner: string | undefined;
  /** The zone of the bound PersistentVolume, when there is one. */
  readonly zone: string | undefined;
}

function zoneOf(pv: V1PersistentVolume | undefined): string | undefined {
  const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const pinned = terms
    .flatMap((t) => t.matchExpressions ?? [])
    .find((e) => ZONE_KEYS.includes(e.key) && e.operator === 'In' && e.values?.length === 1);
  if (pinned) return pinned.values?.[0];
  const labels = pv?.metadata?.labels ?? {};
  return ZONE_KEYS.map((k) => labels[k]).find((z) => z !== undefined);
}

/** Every claim `obj`'s pods mount, with what the input says of it. */
export function claimsOf(obj: KubeObject, s: Storage): ClaimUse[] {
  const ns = obj.metadata?.namespace ?? 'default';
  const provisionerOf = (cls: string | undefined) =>
    cls === undefined ? undefined : s.classes.get(cls)?.provisioner;
  const uses: ClaimUse[] = [];
  const template = podTemplateOf(obj);
  (template?.spec.volumes ?? []).forEach((v, i) => {
    const name = v.persistentVolumeClaim?.claimName;
    if (name === undefined) return;
    const pvc = s.claims.get(`${ns}/${name}`);
    const cls = pvc?.spec?.storageClassName ?? (pvc ? s.defaultClass : undefined);
    const pv = pvc?.spec?.volumeName !== undefined ? s.volumes.get(pvc.spec.volumeName) : undefined;
    uses.push({
      claim: name,
      field: `spec.template.spec.volumes[${i}]`,
      storageClass: cls,
      provisioner: provisionerOf(cls),
      zone: zoneOf(pv),
    });
  });
  const templates = (obj.spec as { volumeClaimTemplates?: V1PersistentVolumeClaim[] } | undefined)
    ?.volumeClaimTemplates;
  (obj.kind === 'StatefulSet' ? (templates ?? []) : []).forEach((t, i) => {
    const cls = t.spec?.storageClassName ?? s.defaultClass;
    uses.push({
      claim: t.metadata?.name ?? '',
      field: `spec.volumeClaimTemplates[${i}]`,
      storageClass: cls,
      provisioner: provisionerOf(cls),
      zone: undefined,
    });
  });
  return uses;
}

const described = (u: ClaimUse) =>
  `PersistentVolumeClaim ${u.claim} (StorageClass ${u.storageClass ?? '(none named, and no default class in the input)'}${
    u.provisioner !== undefined ? `, provisioner ${u.provisioner}` : ''
  })`;

/** What moving `obj` onto Auto Mode nodes does to its volumes. */
export function autoModeVolumeFindings(obj: KubeObject, s: Storage): Finding[] {
  const object = workloadId(obj);
  return claimsOf(obj, s).flatMap((u): Finding[] => {
    if (u.provisioner === AUTO_MODE_EBS) return [];
    if (u.provisioner !== undefined && SELF_MANAGED_EBS.has(u.provisioner))
      return [
        decide(
          object,
          u.field,
          `mounts ${described(u)}: Auto Mode nodes attach EBS volumes only through ${AUTO_MODE_EBS}, and a volume ${u.provisioner} made cannot be mounted there, so its pods would wait for ever or start without their data`,
          `keep it on Karpenter's nodes (leave out its opt-in), or make a StorageClass with provisioner ${AUTO_MODE_EBS} and move the data: a VolumeSnapshot of each volume, restored into a claim of the new class, then the opt-in`,
        ),
      ];
    if (u.provisioner === undefined)
      return [
        decide(
          object,
          u.field,
          `mounts ${described(u)}, and the input does not say what makes its volumes`,
          'give the cluster’s StorageClasses and PersistentVolumeClaims too (kubectl get storageclass,pvc,pv -A -o yaml), or run against the cluster',
        ),
      ];
    return [
      note(
        object,
        u.field,
        `mounts ${described(u)}`,
        `make sure the ${u.provisioner} driver runs on Auto Mode nodes before the opt-in`,
      ),
    ];
  });
}

/** What moving `obj` onto nodes of `zones` does to its bound zonal volumes (EBS). */
export function zoneVolumeFindings(
  obj: KubeObject,
  s: Storage,
  zones: readonly string[] | undefined,
): Finding[] {
  if (zones === undefined) return [];
  const object = workloadId(obj);
  return claimsOf(obj, s).flatMap((u): Finding[] =>
    u.zone !== undefined && !zones.includes(u.zone)
      ? [
          decide(
            object,
            u.field,
            `mounts ${described(u)}, bound to a volume in ${u.zone}, where its new NodePool launches no node (${zones.join(', ')})`,
            `add ${u.zone} to the NodePool's zones, or move the data to a volume in one of them (a snapshot restored there)`,
          ),
        ]
      : [],
  );
}
