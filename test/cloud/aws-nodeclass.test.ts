/**
 * EC2NodeClass resolution against moto_server: every selector kind, the instance profile created
 * once across restarts, and the status conditions of a class that does not resolve.
 */
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { awsStack } from '../../src/provisioner/cloud/aws-stack.js';
import { InstanceProfiles, profileName } from '../../src/provisioner/cloud/aws-profile.js';
import { isReady, type Resolution } from '../../src/provisioner/nodeclass/spec.js';
import { motoNodeClass, motoSuite } from './moto.js';

const suite = motoSuite('lab');

function resolve(spec: Record<string, unknown>, name = 'default'): Promise<Resolution> {
  const cls = motoNodeClass(suite.world, 'lab', name, spec);
  const aws = awsStack({
    clients: suite.clients,
    cluster: { name: 'lab' },
    region: 'us-east-1',
    nodeClass: () => cls,
    catalog: () => builtinCatalog(),
  });
  return aws.classes.resolve(cls, true);
}

function condition(r: Resolution, type: string) {
  return r.conditions.find((c) => c.type === type);
}

describe('EC2NodeClass resolution against moto_server', () => {
  it('resolves subnets by tags and by id', async () => {
    const byTags = await resolve({});
    expect(isReady(byTags)).toBe(true);
    expect(byTags.subnets.map((s) => s.zone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const byId = await resolve({ subnetSelectorTerms: [{ id: suite.world.subnets['us-east-1c'] }] });
    expect(byId.subnets.map(({ id, zone }) => ({ id, zone }))).toEqual([
      { id: suite.world.subnets['us-east-1c'], zone: 'us-east-1c' },
    ]);
  });

  it('resolves security groups by tags, id and name', async () => {
    expect((await resolve({})).securityGroups).toEqual([suite.world.securityGroup]);
    expect(
      (await resolve({ securityGroupSelectorTerms: [{ id: suite.world.otherGroup.id }] })).securityGroups,
    ).toEqual([suite.world.otherGroup]);
    const both = await resolve({
      securityGroupSelectorTerms: [
        { name: suite.world.otherGroup.name },
        { id: suite.world.securityGroup.id },
      ],
    });
    expect(both.securityGroups.map((g) => g.id).sort()).toEqual(
      [suite.world.otherGroup.id, suite.world.securityGroup.id].sort(),
    );
  });

  it('resolves AMIs by id, by name with owner, and by tags', async () => {
    const byId = await resolve({});
    expect(byId.amis).toMatchObject([
      { id: suite.world.image.id, name: suite.world.image.name, arch: 'amd64' },
    ]);
    const byName = await resolve({
      amiSelectorTerms: [{ name: suite.world.image.name, owner: suite.world.image.owner }],
    });
    expect(byName.amis.map((a) => a.id)).toContain(suite.world.image.id);
    const { CreateTagsCommand } = await import('@aws-sdk/client-ec2');
    await suite.clients.ec2.send(
      new CreateTagsCommand({
        Resources: [suite.world.image.id],
        Tags: [{ Key: 'lab/golden', Value: 'yes' }],
      }),
    );
    const byTags = await resolve({ amiSelectorTerms: [{ tags: { 'lab/golden': 'yes' } }] });
    expect(byTags.amis.map((a) => a.id)).toEqual([suite.world.image.id]);
  });

  // aws/karpenter-provider-aws v1.14.1: an amiSelectorTerms entry with ssmParameter is the image whose
  // id the parameter holds.
  it('resolves an AMI through an SSM parameter of the account (amiSelectorTerms[].ssmParameter)', async () => {
    const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
    await suite.clients.ssm.send(
      new PutParameterCommand({ Name: '/lab/golden-ami', Value: suite.world.image.id, Type: 'String' }),
    );
    const r = await resolve({ amiSelectorTerms: [{ ssmParameter: '/lab/golden-ami' }] });
    expect(r.amis.map((a) => a.id)).toEqual([suite.world.image.id]);
    expect(condition(r, 'FieldsSupported')?.status).toBe('True');
  });

  it('creates the instance profile for role once, and finds it again after a restart', async () => {
    const first = await resolve({}, 'shared');
    const name = profileName('lab', 'us-east-1', 'shared');
    expect(first.instanceProfile).toBe(name);
    const profile = await suite.clients.iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: name }),
    );
    expect(profile.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual([suite.world.role]);
    expect(profile.InstanceProfile?.Path).toBe('/berth/');
    // A new process (a restart): the same profile, no second one, no error.
    const again = await resolve({}, 'shared');
    expect(again.instanceProfile).toBe(name);
    // A given instanceProfile is used as it is.
    expect((await resolve({ role: undefined, instanceProfile: 'mine' })).instanceProfile).toBe('mine');
  });

  it('is Ready=False, with the reason, when a selector matches nothing or user data is bad', async () => {
    const noSubnet = await resolve({
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'nobody' } }],
    });
    expect(condition(noSubnet, 'Ready')).toMatchObject({ status: 'False', reason: 'SubnetsNotFound' });
    expect(condition(noSubnet, 'Ready')?.message).toContain('no subnet matches subnetSelectorTerms');
    const noGroup = await resolve({ securityGroupSelectorTerms: [{ name: 'nope' }] });
    expect(condition(noGroup, 'SecurityGroupsReady')).toMatchObject({
      status: 'False',
      reason: 'SecurityGroupsNotFound',
    });
    const noImage = await resolve({ amiSelectorTerms: [{ id: 'ami-00000000000000000' }] });
    expect(condition(noImage, 'AMIsReady')).toMatchObject({ status: 'False', reason: 'AMINotFound' });
    const al2 = await resolve({ amiFamily: 'AL2' });
    expect(condition(al2, 'AMIsReady')).toMatchObject({ status: 'False', reason: 'AMIFamilyNotSupported' });
    const mime = await resolve({
      userData: 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n\necho',
    });
    expect(condition(mime, 'ValidationSucceeded')).toMatchObject({
      status: 'False',
      reason: 'UserDataInvalid',
    });
    expect(condition(mime, 'ValidationSucceeded')?.message).toContain(
      'ends inside a part: close it with --x or --x--',
    );
    const toml = await resolve({ amiFamily: 'Bottlerocket', userData: '[settings.kubernetes\nfoo = 1' });
    expect(condition(toml, 'Ready')).toMatchObject({ status: 'False', reason: 'UserDataInvalid' });
    expect(condition(toml, 'Ready')?.message).toMatch(/not valid TOML \(line 1/);
    const noRole = await resolve({ role: undefined });
    expect(condition(noRole, 'InstanceProfileReady')).toMatchObject({
      status: 'False',
      reason: 'InstanceProfileNotFound',
    });
  });

  it("is Ready=False when spec.kubelet is not the kubelet's configuration, or an expression does not compile (Karpenter v1.15)", async () => {
    const unknown = await resolve({ kubelet: { maxPods: 20, notAKubeletField: true } });
    expect(condition(unknown, 'ValidationSucceeded')).toMatchObject({
      status: 'False',
      reason: 'InvalidKubeletConfiguration',
      message: 'spec.kubelet: unknown field "notAKubeletField"',
    });
    expect(condition(unknown, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidKubeletConfiguration',
    });
    const expression = await resolve({ kubelet: { maxPods: 'vcpus * ' } });
    expect(condition(expression, 'ValidationSucceeded')).toMatchObject({
      status: 'False',
      reason: 'KubeletExpressionInvalid',
    });
    expect(condition(expression, 'ValidationSucceeded')?.message).toMatch(
      /\(field=spec\.kubelet\.maxPods\)$/,
    );
    const fine = await resolve({
      kubelet: { maxPods: 'default_enis * (ips_per_eni - 1) + 2', serializeImagePulls: false },
    });
    expect(condition(fine, 'ValidationSucceeded')?.status).toBe('True');
  });

  it('is Ready=False when the cluster to join is unknown', async () => {
    const cls = motoNodeClass(suite.world, 'lab');
    const aws = awsStack({
      clients: { ec2: suite.clients.ec2, ssm: suite.clients.ssm, iam: suite.clients.iam },
      cluster: { name: 'lab' },
      region: 'us-east-1',
      nodeClass: () => cls,
      catalog: () => builtinCatalog(),
    });
    const r = await aws.classes.resolve(cls);
    expect(condition(r, 'Ready')).toMatchObject({ status: 'False', reason: 'ClusterUnknown' });
    expect(condition(r, 'Ready')?.message).toContain(
      '--cluster-endpoint, --cluster-ca-bundle, --service-cidr',
    );
  });
});

describe('instance profiles under concurrency', () => {
  it('a launch and the class status round ensuring one profile at once, and another replica, all get it', async () => {
    const make = () => new InstanceProfiles({ iam: suite.clients.iam, cluster: 'race', region: 'us-east-1' });
    const [a, b] = [make(), make()];
    const got = await Promise.all([
      a.ensure('shared', suite.world.role),
      a.ensure('shared', suite.world.role),
      b.ensure('shared', suite.world.role),
    ]);
    expect(new Set(got)).toEqual(new Set([profileName('race', 'us-east-1', 'shared')]));
    const read = await suite.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: got[0] }));
    expect(read.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual([suite.world.role.split('/').pop()]);
  });
});
