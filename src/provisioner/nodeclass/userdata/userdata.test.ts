/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any */
import { parse as parseToml } from 'smol-toml';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { userDataFor, UserDataError, type BootstrapOptions } from './index.js';
import { parseMime, writeMime } from './mime.js';

const options: BootstrapOptions = {
  cluster: {
    name: 'prod',
    endpoint: 'https://api',
    caBundle: 'Q0E=',
    serviceCidr: '10.100.0.0/16',
    kubernetesVersion: '1.31',
  },
  labels: { team: 'web', 'karpenter.sh/nodepool': 'general' },
  taints: [
    { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
    { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
  ],
  maxPods: 29,
};

describe('MIME user data', () => {
  it('round-trips parts, CRLF and folded headers included', () => {
    const text = writeMime([
      { contentType: 'text/x-shellscript', content: '#!/bin/bash\necho a' },
      { contentType: 'application/node.eks.aws', content: 'kind: NodeConfig' },
    ]);
    expect(parseMime(text)).toEqual([
      { contentType: 'text/x-shellscript', content: '#!/bin/bash\necho a' },
      { contentType: 'application/node.eks.aws', content: 'kind: NodeConfig' },
    ]);
    const crlf =
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=BB\r\n\r\n--BB\r\nContent-Type: text/x-shellscript\r\n\r\necho b\r\n--BB--\r\n';
    expect(parseMime(crlf)).toEqual([{ contentType: 'text/x-shellscript', content: 'echo b' }]);
  });

  it('reads an archive whose last delimiter is not closed with --, as Go and Karpenter read it', () => {
    // Karpenter's examples/v1/al2023-custom-userdata.yaml ends with `--//`.
    const open =
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\necho "Running a custom user data script"\n\n--//\n';
    expect(parseMime(open)).toEqual([
      {
        contentType: 'text/x-shellscript; charset="us-ascii"',
        content: '#!/bin/bash\necho "Running a custom user data script"',
      },
    ]);
  });

  it.each([
    ['not multipart', 'MIME-Version: 1.0\nContent-Type: text/plain\n\nhi', 'not multipart'],
    ['no boundary', 'MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nhi', 'without a boundary'],
    [
      'an archive that ends inside a part',
      'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="x"\n\n--x\n\necho',
      'ends inside a part',
    ],
    ['bad header', 'MIME-Version: 1.0\nnonsense\n\n', 'malformed MIME header'],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseMime(text)).toThrow(UserDataError);
    expect(() => parseMime(text)).toThrow(message);
  });
});

describe('AL2023 (nodeadm)', () => {
  const nodeConfigOf = (text: string) => {
    const parts = parseMime(text);
    return { parts, config: parse(parts.at(-1)?.content ?? '') as Record<string, any> };
  };

  it('passes spec.kubelet through as kubelet configuration and sets RAID0 local storage (Karpenter nodeadm.go)', () => {
    const kubelet = {
      systemReserved: { cpu: '100m' },
      evictionHard: { 'nodefs.available': '5%' },
      cpuCFSQuota: false,
    };
    const { config } = nodeConfigOf(
      userDataFor('AL2023', { ...options, kubelet, instanceStorePolicy: 'RAID0' }),
    );
    expect(config.spec.kubelet.config).toMatchObject({ ...kubelet, maxPods: 29 });
    expect(config.spec.instance).toEqual({ localStorage: { strategy: 'RAID0' } });
  });

  it('joins the cluster with labels, taints and max pods', () => {
    const { parts, config } = nodeConfigOf(userDataFor('AL2023', options));
    expect(parts).toHaveLength(1);
    expect(config).toEqual({
      apiVersion: 'node.eks.aws/v1alpha1',
      kind: 'NodeConfig',
      spec: {
        cluster: {
          name: 'prod',
          apiServerEndpoint: 'https://api',
          certificateAuthority: 'Q0E=',
          cidr: '10.100.0.0/16',
        },
        kubelet: {
          config: {
            maxPods: 29,
            registerWithTaints: [
              { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
              { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
            ],
          },
          flags: ['--node-labels="karpenter.sh/nodepool=general,team=web"'],
        },
      },
    });
  });

  it.each([
    ['a shell script', '#!/bin/bash\necho hi', 'text/x-shellscript; charset="us-ascii"'],
    [
      'a NodeConfig',
      'apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}',
      'application/node.eks.aws',
    ],
  ])('puts the class user data (%s) first, with its content type', (_, userData, type) => {
    const { parts } = nodeConfigOf(userDataFor('AL2023', { ...options, userData }));
    expect(parts.map((p) => p.contentType)).toEqual([type, 'application/node.eks.aws']);
    expect(parts[0]?.content).toBe(userData);
  });

  it('keeps every part of a class MIME archive, in order, before its own', () => {
    const userData = writeMime([
      { contentType: 'text/x-shellscript', content: 'echo 1' },
      { contentType: 'text/cloud-config', content: 'runcmd: []' },
    ]);
    const { parts } = nodeConfigOf(userDataFor('AL2023', { ...options, userData }));
    expect(parts.map((p) => p.content.split('\n')[0])).toEqual([
      'echo 1',
      'runcmd: []',
      '# Berth generated NodeConfig',
    ]);
  });
});

describe('AL2023 user data that is not valid', () => {
  it('refuses a NodeConfig part that is not YAML, saying so', () => {
    const userData = writeMime([{ contentType: 'application/node.eks.aws', content: 'spec: [unclosed' }]);
    expect(() => userDataFor('AL2023', { ...options, userData })).toThrow(UserDataError);
    expect(() => userDataFor('AL2023', { ...options, userData })).toThrow(
      'a NodeConfig part of the user data is not YAML',
    );
  });
});

describe('Bottlerocket', () => {
  it('merges its settings over the class TOML', () => {
    const userData =
      '[settings.kubernetes]\nmax-pods = 5\ncluster-name = "old"\n[settings.kubernetes.node-labels]\nmine = "yes"\nteam = "old"\n[settings.host-containers.admin]\nenabled = true\n';
    const doc = parseToml(userDataFor('Bottlerocket', { ...options, userData })) as Record<string, any>;
    expect(doc.settings.kubernetes).toEqual({
      'cluster-name': 'prod',
      'api-server': 'https://api',
      'cluster-certificate': 'Q0E=',
      // Karpenter's defaultClusterDNS: kube-dns, the tenth address of the Service CIDR.
      'cluster-dns-ip': '10.100.0.10',
      'max-pods': 29,
      'node-labels': { mine: 'yes', team: 'web', 'karpenter.sh/nodepool': 'general' },
      'node-taints': { dedicated: ['web:NoSchedule'], 'karpenter.sh/unregistered': [':NoExecute'] },
    });
    expect(doc.settings['host-containers'].admin.enabled).toBe(true);
  });

  it('renders spec.kubelet, clusterDNS and RAID0 as Karpenter writes them', () => {
    const kubelet = {
      clusterDNS: ['10.0.0.53'],
      systemReserved: { cpu: '100m' },
      kubeReserved: { memory: '1Gi' },
      evictionHard: { 'memory.available': '5%' },
      imageGCHighThresholdPercent: 85,
      cpuCFSQuota: false,
    };
    const doc = parseToml(
      userDataFor('Bottlerocket', { ...options, kubelet, instanceStorePolicy: 'RAID0' }),
    ) as Record<string, any>;
    expect(doc.settings.kubernetes).toMatchObject({
      'cluster-dns-ip': '10.0.0.53',
      'system-reserved': { cpu: '100m' },
      'kube-reserved': { memory: '1Gi' },
      'eviction-hard': { 'memory.available': '5%' },
      'image-gc-high-threshold-percent': '85',
      'cpu-cfs-quota-enforced': false,
    });
    expect(doc.settings['bootstrap-commands']['000-mount-instance-storage']).toMatchObject({
      commands: [
        ['apiclient', 'ephemeral-storage', 'init'],
        [
          'apiclient',
          'ephemeral-storage',
          'bind',
          '--dirs',
          '/var/lib/containerd',
          '/var/lib/kubelet',
          '/var/log/pods',
        ],
      ],
      essential: true,
      mode: 'always',
    });
  });

  it('refuses user data that is not TOML, with the line', () => {
    expect(() => userDataFor('Bottlerocket', { ...options, userData: 'a = \n' })).toThrow(
      /not valid TOML \(line 1/,
    );
  });
});

describe('Custom', () => {
  it('is the class user data as written', () => {
    expect(userDataFor('Custom', { ...options, userData: 'echo mine' })).toBe('echo mine');
  });
});
