/**
 * The provisioning scenarios' tools: pods and nodes as kubectl shows them, and a stand-in for the
 * kubelet of each instance launched in moto_server. It registers the Node a real kubelet would: from
 * the instance's user data (what IMDS serves it) — the nodeadm NodeConfig's --node-labels,
 * registerWithTaints and maxPods — plus what a kubelet sets itself (hostname, arch, os, instance type,
 * zone, region) and providerID aws:///<zone>/<instance-id>; nothing from Berth's internal request.
 * Instances it is told to leave dark never register.
 */
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { parse } from 'yaml';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { parseMime } from '../../src/provisioner/nodeclass/userdata/mime.js';
import type { kubectlWith } from './harness.js';

type Kubectl = ReturnType<typeof kubectlWith>;

export interface PodRow {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string | undefined;
  /** Deleted and waiting for its kubelet (none confirms it here: PodGC removes it 40 s after its Node). */
  terminating: boolean;
}

export interface NodeRow {
  name: string;
  labels: Record<string, string>;
  providerID: string | undefined;
  unschedulable: boolean;
}

interface Listed<T> {
  items: T[];
}

export function podRows(kubectl: Kubectl): PodRow[] {
  const r = kubectl(['get', 'pods', '-A', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const list = JSON.parse(r.stdout) as Listed<{
    metadata: {
      namespace: string;
      name: string;
      labels?: Record<string, string>;
      deletionTimestamp?: string;
    };
    spec: { nodeName?: string };
  }>;
  return list.items.map((p) => ({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    labels: p.metadata.labels ?? {},
    nodeName: p.spec.nodeName,
    terminating: p.metadata.deletionTimestamp !== undefined,
  }));
}

export function nodeRows(kubectl: Kubectl): NodeRow[] {
  const r = kubectl(['get', 'nodes', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const list = JSON.parse(r.stdout) as Listed<{
    metadata: { name: string; labels?: Record<string, string> };
    spec: { providerID?: string; unschedulable?: boolean };
  }>;
  return list.items.map((n) => ({
    name: n.metadata.name,
    labels: n.metadata.labels ?? {},
    providerID: n.spec.providerID,
    unschedulable: n.spec.unschedulable === true,
  }));
}

export function instanceTypes(nodes: readonly { labels: Record<string, string> }[]): string[] {
  return nodes.map((n) => n.labels['node.kubernetes.io/instance-type'] ?? '?').sort();
}

interface NodeConfig {
  spec: {
    cluster: { name: string };
    kubelet: {
      config: { maxPods: number; registerWithTaints?: { key: string; value?: string; effect: string }[] };
      flags?: string[];
    };
  };
}

/** The nodeadm NodeConfig Berth put last in the instance's MIME user data. */
export function nodeConfigOf(userData: string): NodeConfig {
  const part = parseMime(userData)
    .filter((p) => p.contentType.startsWith('application/node.eks.aws'))
    .at(-1);
  if (!part) throw new Error('user data without a NodeConfig part');
  return parse(part.content) as NodeConfig;
}

/** `--node-labels="a=b,c=d"` → {a: b, c: d}. */
function labelsOf(flags: readonly string[]): Record<string, string> {
  const flag = flags.find((f) => f.startsWith('--node-labels='));
  if (!flag) return {};
  const list = flag.slice('--node-labels='.length).replace(/^"|"$/g, '');
  return Object.fromEntries(
    list.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** The Node a kubelet on this instance registers, from its user data. */
function nodeFor(i: Instance, config: NodeConfig): object {
  const id = i.InstanceId ?? '';
  const zone = i.Placement?.AvailabilityZone ?? '';
  const type = builtinCatalog().byName(i.InstanceType ?? '');
  if (!type) throw new Error(`instance type ${i.InstanceType ?? '?'} is not in the catalog`);
  const name = `ip-${id}.ec2.internal`;
  const a = type.allocatable;
  const pods = String(config.spec.kubelet.config.maxPods);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...labelsOf(config.spec.kubelet.flags ?? []),
        'kubernetes.io/hostname': name,
        'kubernetes.io/arch': type.labels['kubernetes.io/arch'] ?? 'amd64',
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': type.name,
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': zone.slice(0, -1),
      },
    },
    spec: { providerID: `aws:///${zone}/${id}`, taints: config.spec.kubelet.config.registerWithTaints ?? [] },
    status: {
      allocatable: { cpu: `${a.cpuMillis}m`, memory: `${a.memoryMiB}Mi`, pods },
      capacity: { cpu: String(type.capacity.cpuMillis / 1000), memory: `${type.capacity.memoryMiB}Mi`, pods },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'e2e kubelet stand-in' },
      ],
    },
  };
}

export class KubeletStandIn {
  readonly registered = new Map<string, string>();
  readonly dark = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ec2: EC2Client,
    private readonly kubectl: Kubectl,
    private readonly cluster: string,
    /** Instances whose kubelet never starts (decided on first sight). */
    private readonly leaveDark: (i: Instance, seen: number) => boolean,
  ) {}

  async instances(states = ['pending', 'running']): Promise<Instance[]> {
    const out = await this.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:berth.dev/cluster', Values: [this.cluster] },
          { Name: 'instance-state-name', Values: states },
        ],
      }),
    );
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  }

  async tick(): Promise<void> {
    for (const i of await this.instances()) {
      const id = i.InstanceId ?? '';
      if (this.registered.has(id) || this.dark.has(id)) continue;
      if (this.leaveDark(i, this.registered.size + this.dark.size)) {
        this.dark.add(id);
        continue;
      }
      const attribute = await this.ec2.send(
        new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }),
      );
      const userData = Buffer.from(attribute.UserData?.Value ?? '', 'base64').toString();
      const config = nodeConfigOf(userData);
      if (config.spec.cluster.name !== this.cluster)
        throw new Error(`${id} would join ${config.spec.cluster.name}`);
      const r = this.kubectl(['create', '-f', '-'], JSON.stringify(nodeFor(i, config)));
      if (r.code !== 0) throw new Error(`registering ${id}: ${r.stderr}`);
      this.registered.set(id, `ip-${id}.ec2.internal`);
    }
  }

  start(): void {
    const loop = (): void => {
      this.timer = setTimeout(() => {
        this.tick().then(loop, (e: unknown) => {
          console.error(`kubelet stand-in: ${String(e)}`);
          loop();
        });
      }, 500);
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
