/**
 * An `amiSelectorTerms` alias (`al2023@latest`, `al2023@v20240807`, `bottlerocket@latest`,
 * `bottlerocket@1.20.3`) → the public SSM parameters that hold its image ids, one per architecture
 * (the standard variant), as Karpenter reads them.
 */
import type { AmiFamily } from './spec.js';

export interface AliasParameter {
  readonly arch: 'amd64' | 'arm64';
  readonly path: string;
}

export type AliasResolution =
  | { readonly family: AmiFamily; readonly mutable: boolean; readonly parameters: readonly AliasParameter[] }
  | { readonly error: string };

const ARCHES = [
  ['amd64', 'x86_64'],
  ['arm64', 'arm64'],
] as const;

export function aliasParameters(alias: string, kubernetesVersion: string): AliasResolution {
  const [family, version, ...rest] = alias.split('@');
  if (family === undefined || version === undefined || version === '' || rest.length > 0)
    return { error: `alias ${JSON.stringify(alias)} is not <family>@<version>` };
  const mutable = version === 'latest';
  switch (family.toLowerCase()) {
    case 'al2023':
      if (!mutable && !/^v\d{8}$/.test(version))
        return { error: `alias ${alias}: an al2023 version is latest or vYYYYMMDD` };
      return {
        family: 'AL2023',
        mutable,
        parameters: ARCHES.map(([arch, a]) => {
          const name = mutable
            ? 'recommended'
            : `amazon-eks-node-al2023-${a}-standard-${kubernetesVersion}-${version}`;
          return {
            arch,
            path: `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${a}/standard/${name}/image_id`,
          };
        }),
      };
    case 'bottlerocket': {
      const v = version.replace(/^v/, '');
      return {
        family: 'Bottlerocket',
        mutable,
        parameters: ARCHES.map(([arch, a]) => ({
          arch,
          path: `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}/${a}/${v}/image_id`,
        })),
      };
    }
    default:
      return { error: `alias ${alias}: Berth bootstraps al2023 and bottlerocket aliases only` };
  }
}
