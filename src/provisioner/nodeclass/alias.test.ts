import { describe, expect, it } from 'vitest';
import { aliasParameters } from './alias.js';
import { familyName, statusOf } from './spec.js';

describe('aliases', () => {
  it.each([
    [
      'al2023@latest',
      'AL2023',
      true,
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id',
    ],
    [
      'al2023@v20240807',
      'AL2023',
      false,
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.31-v20240807/image_id',
    ],
    [
      'bottlerocket@latest',
      'Bottlerocket',
      true,
      '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_id',
    ],
    [
      'Bottlerocket@v1.20.3',
      'Bottlerocket',
      false,
      '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/1.20.3/image_id',
    ],
  ])('%s', (alias, family, mutable, amd64) => {
    const r = aliasParameters(alias, '1.31');
    expect(r).toMatchObject({ family, mutable });
    expect('parameters' in r && r.parameters[0]).toEqual({ arch: 'amd64', variant: 'standard', path: amd64 });
  });

  it('resolves the NVIDIA and Neuron variants as Karpenter does (al2023.go, bottlerocket.go)', () => {
    const al = aliasParameters('al2023@latest', '1.31');
    expect('parameters' in al && al.parameters.map((p) => `${p.arch}/${p.variant}`)).toEqual([
      'amd64/standard',
      'amd64/nvidia',
      'amd64/neuron',
      'arm64/standard',
      'arm64/nvidia',
    ]);
    const br = aliasParameters('bottlerocket@latest', '1.31');
    expect(
      'parameters' in br && br.parameters.find((p) => p.variant === 'nvidia' && p.arch === 'amd64')?.path,
    ).toBe('/aws/service/bottlerocket/aws-k8s-1.31-nvidia/x86_64/latest/image_id');
  });

  it.each(['al2023', 'al2023@', 'al2023@2024', 'al2@latest', 'a@b@c'])('refuses %s', (alias) => {
    expect(aliasParameters(alias, '1.31')).toHaveProperty('error');
  });

  it('takes spec.amiFamily first, as Karpenter does (Custom with an alias stays Custom), else the alias', () => {
    expect(familyName({ amiFamily: 'Custom', amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] })).toBe(
      'Custom',
    );
    expect(familyName({ amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] })).toBe('Bottlerocket');
    expect(familyName({ amiFamily: 'AL2023', amiSelectorTerms: [{ id: 'ami-1' }] })).toBe('AL2023');
  });

  it('keeps a condition transition time while the condition holds', () => {
    const r = {
      name: 'c',
      family: 'AL2023' as const,
      subnets: [{ id: 's', zone: 'z', freeIps: 1 }],
      securityGroups: [],
      amis: [{ id: 'a', name: 'n', arch: 'arm64', created: '' }],
      instanceProfile: 'p',
      conditions: [{ type: 'Ready', status: 'True' as const, reason: 'Ready', message: '' }],
    };
    const first = statusOf(r, new Date('2026-01-01T00:00:00Z'));
    const again = statusOf(r, new Date('2026-02-01T00:00:00Z'), first.conditions as never);
    expect((again.conditions as { lastTransitionTime: string }[])[0]?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(again.amis).toEqual([
      {
        id: 'a',
        name: 'n',
        requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }],
      },
    ]);
  });
});
