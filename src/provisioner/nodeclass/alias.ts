/**
 * An `amiSelectorTerms` alias (`al2023@latest`, `al2023@v20240807`, `bottlerocket@latest`,
 * `bottlerocket@1.20.3`) → the public SSM parameters that hold its image ids, per architecture and
 * variant (standard, NVIDIA, Neuron), as Karpenter's amifamily/al2023.go and bottlerocket.go read them.
 */
import type { AmiFamily, AmiVariant } from './spec.js';

export interface AliasParameter {
  readonly arch: 'amd64' | 'arm64';
  /** The instance types the image is for: standard (no accelerator), nvidia (GPU types), neuron. */
  readonly variant: AmiVariant;
  readonly path: string;
}

/** Which variants each family publishes per architecture (x86_64 Bottlerocket's standard image carries Neuron). */
const AL2023_VARIANTS = {
  amd64: ['standard', 'nvidia', 'neuron'],
  arm64: ['standard', 'nvidia'],
} as const;

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
        parameters: ARCHES.flatMap(([arch, a]) =>
          AL2023_VARIANTS[arch].map((variant) => {
            const name = mutable
              ? 'recommended'
              : `amazon-eks-node-al2023-${a}-${variant}-${kubernetesVersion}-${version}`;
            return {
              arch,
              variant,
              path: `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${a}/${variant}/${name}/image_id`,
            };
          }),
        ),
      };
    case 'bottlerocket': {
      const v = version.replace(/^v/, '');
      return {
        family: 'Bottlerocket',
        mutable,
        parameters: ARCHES.flatMap(([arch, a]) => [
          {
            arch,
            variant: 'standard' as const,
            path: `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}/${a}/${v}/image_id`,
          },
          {
            arch,
            variant: 'nvidia' as const,
            path: `/aws/service/bottlerocket/aws-k8s-${kubernetesVersion}-nvidia/${a}/${v}/image_id`,
          },
        ]),
      };
    }
    default:
      return { error: `alias ${alias}: Berth bootstraps al2023 and bottlerocket aliases only` };
  }
}
