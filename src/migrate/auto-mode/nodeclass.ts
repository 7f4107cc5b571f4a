/**
 * An EC2NodeClass (karpenter.k8s.aws/v1) as an EKS Auto Mode NodeClass (eks.amazonaws.com/v1): the
 * node role or instance profile, subnet, security group and capacity reservation selectors, tags, and
 * the volume that holds ephemeral storage as `ephemeralStorage`. What Auto Mode decides itself — the
 * image (AWS's Bottlerocket), user data, kubelet settings, instance metadata options — does not carry
 * over and is said, with what to do instead. Pure.
 */
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import type { BlockDeviceMapping, NodeClassSpec, SelectorTerm } from '../../provisioner/nodeclass/spec.js';
import { decide, note, type Finding } from '../findings.js';
import { imageFindings } from './images.js';

export const AUTO_NODECLASS_API_VERSION = 'eks.amazonaws.com/v1';

export interface AutoNodeClass {
  apiVersion: typeof AUTO_NODECLASS_API_VERSION;
  kind: 'NodeClass';
  metadata: { name: string; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The annotation that names the object a migrated one was made from. */
export const MIGRATED_FROM = 'berth.dev/migrated-from';

/** Tags Auto Mode keeps for itself: a NodeClass that sets them is refused. */
const RESTRICTED_TAG =
  /^(kubernetes\.io\/cluster\/|karpenter\.sh\/(provisioner-name|nodepool|nodeclaim|managed-by)$|eks\.amazonaws\.com\/nodeclass$)/;

/** The name a migrated object takes (the source's, so the two live side by side). */
export const autoName = (name: string): string => `${name}-auto`;

/** Fields with no Auto Mode equivalent, and what to do instead. */
const NO_EQUIVALENT: readonly (readonly [
  keyof NodeClassSpec | 'placementGroupSelector' | 'networkInterfaces' | 'cpuOptions',
  string,
])[] = [
  [
    'detailedMonitoring',
    'Auto Mode has no detailed monitoring switch: use CloudWatch agent or Container Insights',
  ],
  [
    'associatePublicIPAddress',
    'Auto Mode places nodes by subnet: select private or public subnets in subnetSelectorTerms',
  ],
  ['ipPrefixCount', 'Auto Mode assigns /28 prefixes itself: nothing to set'],
  ['connectionTracking', 'Auto Mode keeps EC2 default connection tracking: nothing to set'],
  ['context', 'Auto Mode launches without a CreateFleet context'],
  ['placementGroupSelector', 'Auto Mode launches into no placement group: keep these workloads on Karpenter'],
  [
    'networkInterfaces',
    'Auto Mode configures one network card: keep EFA or multi-card workloads on Karpenter',
  ],
  ['cpuOptions', 'Auto Mode takes the instance default CPU options'],
];

const selectorTerms = (terms: readonly SelectorTerm[] | undefined, keys: readonly (keyof SelectorTerm)[]) =>
  (terms ?? []).map((t) => Object.fromEntries(keys.flatMap((k) => (t[k] !== undefined ? [[k, t[k]]] : []))));

const isBottlerocket = (spec: NodeClassSpec): boolean =>
  (
    spec.amiFamily ??
    spec.amiSelectorTerms?.find((t) => t.alias !== undefined)?.alias?.split('@')[0] ??
    ''
  ).toLowerCase() === 'bottlerocket';

/** The mapping that holds ephemeral storage: the root volume, or Bottlerocket's data volume. */
export function ephemeralVolume(spec: NodeClassSpec): BlockDeviceMapping | undefined {
  const maps = spec.blockDeviceMappings ?? [];
  const flagged = maps.find((m) => m.rootVolume === true);
  if (flagged) return flagged;
  const device = isBottlerocket(spec) ? '/dev/xvdb' : '/dev/xvda';
  return maps.find((m) => m.deviceName === device) ?? (maps.length === 1 ? maps[0] : undefined);
}

/** Bottlerocket's OS volume, beside its data volume: Auto Mode sizes its own. */
const isOsVolume = (spec: NodeClassSpec, m: BlockDeviceMapping): boolean =>
  isBottlerocket(spec) && m.deviceName === '/dev/xvda';

/** The other volumes: Bottlerocket's OS volume is Auto Mode's own; any further one is not attached. */
function otherVolumes(
  spec: NodeClassSpec,
  volume: BlockDeviceMapping | undefined,
  object: string,
): Finding[] {
  const maps = spec.blockDeviceMappings ?? [];
  return maps.flatMap((m, i) => {
    const field = `spec.blockDeviceMappings[${i}]`;
    if (m === volume) return [];
    if (isOsVolume(spec, m))
      return [
        note(object, field, "Bottlerocket's OS volume: Auto Mode sizes its own", 'nothing: it is dropped'),
      ];
    return [
      decide(
        object,
        field,
        `${m.deviceName ?? 'a volume'} is not attached: Auto Mode nodes have one ephemeral volume`,
        'move data a pod needs to a PersistentVolume (EBS CSI) or size ephemeralStorage for it',
      ),
    ];
  });
}

function storage(spec: NodeClassSpec, object: string, out: Finding[]): Record<string, unknown> | undefined {
  const volume = ephemeralVolume(spec);
  out.push(...otherVolumes(spec, volume, object));
  const ebs = volume?.ebs;
  if (!volume || !ebs) return undefined;
  const field = `spec.blockDeviceMappings[${(spec.blockDeviceMappings ?? []).indexOf(volume)}].ebs`;
  if (ebs.volumeType !== undefined && ebs.volumeType !== 'gp3')
    out.push(
      note(
        object,
        `${field}.volumeType`,
        `${ebs.volumeType} becomes gp3`,
        'set iops and throughput for gp3 if the workload needs them',
      ),
    );
  if (ebs.snapshotID !== undefined)
    out.push(
      decide(
        object,
        `${field}.snapshotID`,
        'Auto Mode volumes start empty',
        'pre-pull images another way (or accept the pull time)',
      ),
    );
  const keys = ['volumeSize', 'iops', 'throughput', 'kmsKeyID'] as const;
  const eph = Object.fromEntries(
    keys.flatMap((k) => (ebs[k] !== undefined ? [[k === 'volumeSize' ? 'size' : k, ebs[k]]] : [])),
  );
  return Object.keys(eph).length > 0 ? eph : undefined;
}

function metadata(spec: NodeClassSpec, object: string, out: Finding[]): void {
  const m = spec.metadataOptions;
  if (!m) return;
  if ((m.httpPutResponseHopLimit ?? 1) > 1 || m.httpTokens === 'optional' || m.httpEndpoint === 'disabled')
    out.push(
      decide(
        object,
        'spec.metadataOptions',
        'Auto Mode enforces IMDSv2 with a hop limit of 1',
        'pods that read instance metadata need hostNetwork: true, or the values (region, role) passed to them',
      ),
    );
}

function kubelet(spec: NodeClassSpec, object: string, out: Finding[]): void {
  for (const [k, v] of Object.entries(spec.kubelet ?? {})) {
    if (v === undefined) continue;
    const instead =
      k === 'maxPods' || k === 'podsPerCore'
        ? 'Auto Mode sets max pods from the instance type (at most 110): size pods per node by requests'
        : 'Auto Mode manages the kubelet: size requests for what it leaves allocatable (berth plan shows it)';
    out.push(decide(object, `spec.kubelet.${k}`, 'kubelet settings do not carry over', instead));
  }
}

function tags(spec: NodeClassSpec, object: string, out: Finding[]): Record<string, string> | undefined {
  const kept = Object.entries(spec.tags ?? {}).filter(([k]) => {
    const restricted = RESTRICTED_TAG.test(k);
    if (restricted)
      out.push(note(object, `spec.tags.${k}`, 'Auto Mode sets this tag itself', 'nothing: it is dropped'));
    return !restricted;
  });
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** The Auto Mode NodeClass for an EC2NodeClass, and what did not carry over. */
export function autoNodeClass(source: EC2NodeClass): { nodeClass: AutoNodeClass; findings: Finding[] } {
  const spec = (source.spec ?? {}) as NodeClassSpec;
  const object = `EC2NodeClass/${source.metadata.name}`;
  const out: Finding[] = [...imageFindings(spec, object)];
  const s: Record<string, unknown> = {};
  if (spec.role !== undefined) s.role = spec.role;
  if (spec.instanceProfile !== undefined) s.instanceProfile = spec.instanceProfile;
  s.subnetSelectorTerms = selectorTerms(spec.subnetSelectorTerms, ['tags', 'id']);
  s.securityGroupSelectorTerms = selectorTerms(spec.securityGroupSelectorTerms, ['tags', 'id', 'name']);
  const reservations = spec.capacityReservationSelectorTerms;
  if (reservations !== undefined && reservations.length > 0)
    s.capacityReservationSelectorTerms = selectorTerms(reservations as SelectorTerm[], ['tags', 'id']);
  const eph = storage(spec, object, out);
  if (eph) s.ephemeralStorage = eph;
  const t = tags(spec, object, out);
  if (t) s.tags = t;
  metadata(spec, object, out);
  kubelet(spec, object, out);
  if (spec.instanceStorePolicy === 'RAID0')
    out.push(
      note(
        object,
        'spec.instanceStorePolicy',
        'Auto Mode formats local NVMe itself (RAID 0 over several drives)',
        'set ephemeralStorage.size below the NVMe capacity so that it uses them',
      ),
    );
  const raw = spec as Readonly<Record<string, unknown>>;
  for (const [k, instead] of NO_EQUIVALENT)
    if (raw[k] !== undefined && raw[k] !== false)
      out.push(decide(object, `spec.${k}`, 'no Auto Mode equivalent', instead));
  const nodeClass: AutoNodeClass = {
    apiVersion: AUTO_NODECLASS_API_VERSION,
    kind: 'NodeClass',
    metadata: { name: autoName(source.metadata.name), annotations: { [MIGRATED_FROM]: object } },
    spec: s,
  };
  return { nodeClass, findings: out };
}
