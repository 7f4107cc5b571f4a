/**
 * `berth nodeclass describe`: each EC2NodeClass in the files resolved against AWS (or an emulator) by
 * the code the launch path uses, with the launch template of each of its NodePools per architecture
 * (the cheapest type the pool allows sets max pods), user data decoded to text.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { stringify } from 'yaml';
import type { Catalog } from '../catalog/catalog.js';
import { LABEL, type InstanceType } from '../catalog/instance-type.js';
import { typesFor } from '../scheduling/placement.js';
import { allows } from '../scheduling/requirements.js';
import { inCatalogTerms } from '../scheduling/vocabulary.js';
import type { ReadyClass } from '../provisioner/cloud/aws-classes.js';
import { launchGroups, nodeShape } from '../provisioner/cloud/aws-launch.js';
import { awsStack } from '../provisioner/cloud/aws-stack.js';
import { templateFor } from '../provisioner/cloud/aws-template-data.js';
import { isReady, specOf, type Resolution } from '../provisioner/nodeclass/spec.js';
import {
  poolCatalog,
  poolViewWithClass,
  type EC2NodeClass,
  type NodePool,
  type PoolView,
} from '../scheduling/nodepool.js';
import { BadInput } from '../inputs/bad-input.js';
import { unsupportedFields } from '../provisioner/nodeclass/unsupported.js';
import { loadObjects } from '../inputs/objects.js';
import type { CliIO } from '../util/io.js';
import { clusterFlags, type AwsFlags } from '../operator/cloud-flags.js';
import { openSession } from '../inputs/session.js';

export interface DescribeOpts extends AwsFlags {
  file: string[];
  catalog?: string;
  output: string;
}

function objectsOf(paths: readonly string[]): { classes: EC2NodeClass[]; pools: NodePool[] } {
  const loaded = loadObjects(paths);
  if (!loaded.ok) throw new BadInput(loaded.errors);
  const objects = loaded.objects.map((o) => o.object);
  return {
    classes: objects.filter((o) => o.kind === 'EC2NodeClass') as unknown as EC2NodeClass[],
    pools: objects.filter((o) => o.kind === 'NodePool') as unknown as NodePool[],
  };
}

/**
 * The cheapest type of this architecture the pool allows (its max pods goes into the template): the
 * types the solver would consider for the pool, as `typesFor` gives them.
 */
function cheapest(view: PoolView, arch: string, catalog: Catalog): InstanceType | undefined {
  let best: InstanceType | undefined;
  for (const t of typesFor(inCatalogTerms(view.requirements, view.vocabulary), poolCatalog(view, catalog)))
    if (
      t.labels[LABEL.arch] === arch &&
      (best === undefined || (t.onDemandPrice ?? Infinity) < (best.onDemandPrice ?? Infinity))
    )
      best = t;
  return best;
}

function shown(data: RequestLaunchTemplateData) {
  return {
    imageId: data.ImageId,
    instanceProfile: data.IamInstanceProfile?.Name,
    securityGroupIds: data.SecurityGroupIds ?? data.NetworkInterfaces?.[0]?.Groups ?? [],
    metadataOptions: data.MetadataOptions,
    blockDeviceMappings: data.BlockDeviceMappings,
    userData: Buffer.from(data.UserData ?? '', 'base64').toString(),
  };
}

function templates(rc: ReadyClass, pools: readonly NodePool[], catalog: Catalog) {
  const out = [];
  for (const pool of pools) {
    const view = poolViewWithClass(pool, rc.cls);
    const allowed = view.requirements.get(LABEL.capacityType);
    const capacityType = ['on-demand', 'spot'].find((c) => !allowed || allows(allowed, c)) ?? 'on-demand';
    const startup = pool.spec.template.spec.startupTaints ?? [];
    const req = {
      claim: '',
      nodePool: pool.metadata.name,
      nodeClass: rc.cls.metadata.name,
      capacityType,
      instanceTypes: [],
      zones: [],
      labels: view.labels,
      taints: view.taints,
    };
    for (const arch of [...new Set(rc.resolution.amis.map((a) => a.arch))]) {
      const ami = rc.resolution.amis.find((a) => a.arch === arch);
      const type = cheapest(view, arch, catalog);
      if (!ami || !type) continue;
      // The type's max pods and kubelet as a launch gives them (expressions evaluated for the type).
      const [g] = launchGroups([type.name], [ami], catalog, rc.spec);
      const data = templateFor(
        rc,
        nodeShape(req, startup, ami, g?.maxPods ?? type.capacity.pods, g?.kubelet),
      );
      out.push({ nodePool: pool.metadata.name, arch, instanceType: type.name, ...shown(data) });
    }
  }
  return out;
}

function statusShown(r: Resolution) {
  return {
    subnets: r.subnets.map((s) => ({ id: s.id, zone: s.zone })),
    securityGroups: r.securityGroups,
    amis: r.amis.map((a) => ({ id: a.id, name: a.name, arch: a.arch })),
    instanceProfile: r.instanceProfile,
    ...(r.capacityReservations !== undefined && r.capacityReservations.length > 0
      ? { capacityReservations: r.capacityReservations }
      : {}),
    conditions: r.conditions.map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
    })),
  };
}

export async function describeAction(opts: DescribeOpts, io: CliIO): Promise<void> {
  if (opts.output !== 'json' && opts.output !== 'yaml')
    throw new Error(`-o must be json or yaml, got ${opts.output}`);
  const { classes, pools } = objectsOf(opts.file);
  if (classes.length === 0) throw new Error(`no EC2NodeClass in ${opts.file.join(', ')}`);
  const catalog = openSession({ ...(opts.catalog !== undefined ? { catalog: opts.catalog } : {}) }).catalog;
  const region = opts.awsRegion ?? process.env.AWS_REGION ?? 'us-east-1';
  const config = { region, ...(opts.awsEndpoint !== undefined ? { endpoint: opts.awsEndpoint } : {}) };
  const clients = {
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    iam: new IAMClient(config),
    eks: new EKSClient(config),
  };
  const byName = new Map(classes.map((c) => [c.metadata.name, c]));
  const aws = awsStack({
    clients,
    cluster: clusterFlags(opts),
    region,
    nodeClass: (name) => byName.get(name),
    catalog: () => catalog,
  });
  try {
    const described = [];
    for (const cls of classes) {
      const resolution = await aws.classes.resolve(cls);
      const ready = isReady(resolution);
      const mine = pools.filter((p) => (p.spec.template.spec.nodeClassRef?.name ?? '') === cls.metadata.name);
      const rc = ready
        ? { cls, spec: specOf(cls), resolution, cluster: await aws.cluster.info() }
        : undefined;
      described.push({
        name: cls.metadata.name,
        unsupportedFields: unsupportedFields(specOf(cls)),
        status: statusShown(resolution),
        launchTemplates: rc ? templates(rc, mine, catalog) : [],
      });
    }
    io.out(opts.output === 'json' ? `${JSON.stringify(described, null, 2)}\n` : stringify(described));
    io.exit(
      described.every((d) => d.status.conditions.find((c) => c.type === 'Ready')?.status === 'True') ? 0 : 1,
    );
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}
