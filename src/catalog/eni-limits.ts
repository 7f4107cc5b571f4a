/** Each instance type's ENIs (its default network card's) and IPv4 addresses per ENI (data/README.md). */
import data from './eni-limits.data.json' with { type: 'json' };

const limits = (data as unknown as { limits: Record<string, [number, number] | undefined> }).limits;

export function eniLimits(instanceType: string): { defaultEnis: number; ipsPerEni: number } | undefined {
  const l = limits[instanceType];
  return l ? { defaultEnis: l[0], ipsPerEni: l[1] } : undefined;
}
