/**
 * The provisioning scenarios' tools: pods and nodes as kubectl shows them, and a stand-in for the
 * kubelet of each instance launched in moto_server (it registers the Node a real kubelet would, with
 * providerID aws:///<zone>/<instance-id>, except for instances it is told to leave dark).
 */
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { builtinCatalog } from '../../src/provisioner/catalog/catalog.js';
import type { kubectlWith } from './harness.js';

type Kubectl = ReturnType<typeof kubectlWith>;

export interface PodRow {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string | undefined;
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
    metadata: { namespace: string; name: string; labels?: Record<string, string> };
    spec: { nodeName?: string };
  }>;
  return list.items.map((p) => ({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    labels: p.metadata.labels ?? {},
    nodeName: p.spec.nodeName,
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

function tag(i: Instance, key: string): string | undefined {
  return i.Tags?.find((t) => t.Key === key)?.Value;
}

/** The Node a kubelet on this instance registers (Karpenter's labels come from its --node-labels). */
function nodeFor(i: Instance): object {
  const id = i.InstanceId ?? '';
  const zone = i.Placement?.AvailabilityZone ?? '';
  const type = builtinCatalog().byName(i.InstanceType ?? '');
  if (!type) throw new Error(`instance type ${i.InstanceType ?? '?'} is not in the catalog`);
  const name = `ip-${id}.ec2.internal`;
  const a = type.allocatable;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...type.labels,
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': zone.slice(0, -1),
        'karpenter.sh/capacity-type': i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
        'karpenter.sh/nodepool': tag(i, 'karpenter.sh/nodepool') ?? '',
      },
    },
    spec: { providerID: `aws:///${zone}/${id}` },
    status: {
      allocatable: { cpu: `${a.cpuMillis}m`, memory: `${a.memoryMiB}Mi`, pods: String(a.pods) },
      capacity: { cpu: String(type.capacity.cpuMillis / 1000), memory: `${type.capacity.memoryMiB}Mi` },
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
      const r = this.kubectl(['create', '-f', '-'], JSON.stringify(nodeFor(i)));
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
