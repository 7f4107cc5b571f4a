/** EC2 errors, typed: capacity errors name the offerings; throttling is retried with backoff. */
import type { CreateFleetError } from '@aws-sdk/client-ec2';
import { CloudError, InsufficientCapacityError, type Offering } from './provider.js';

/** Error codes that mean "no capacity for this offering now" (Karpenter's list). */
export const CAPACITY_CODES: ReadonlySet<string> = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientFreeAddressesInSubnet',
  'UnfulfillableCapacity',
  // A capacity reservation with no instance left (Karpenter marks the reservation unavailable).
  'ReservationCapacityExceeded',
  'Unsupported',
  'MaxSpotInstanceCountExceeded',
  'VcpuLimitExceeded',
  'SpotMaxPriceTooLow',
]);

const THROTTLING: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

export interface RetryOptions {
  readonly retries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => Date;
}

function isThrottling(e: unknown): boolean {
  const err = e as { name?: string; Code?: string } | null;
  return (
    err !== null &&
    typeof err === 'object' &&
    (THROTTLING.has(err.name ?? '') || THROTTLING.has(err.Code ?? ''))
  );
}

/** Runs `call`, retrying throttled requests with exponential backoff (100 ms, 200 ms, … up to `retries`). */
export async function withRetry<T>(opts: RetryOptions, call: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isThrottling(e) || attempt >= retries) {
        if (isThrottling(e))
          throw new CloudError(`EC2 kept throttling after ${retries} retries`, { cause: e });
        throw e;
      }
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** The typed error a fleet's errors amount to: capacity (with its offerings), or another CloudError. */
export function fleetFailure(
  claim: string,
  errors: readonly CreateFleetError[],
  offered: readonly Offering[],
): CloudError | undefined {
  if (errors.length === 0) return undefined;
  const capacity = errors.filter((e) => CAPACITY_CODES.has(e.ErrorCode ?? ''));
  if (capacity.length > 0) {
    const named = capacity.map((e) => e.LaunchTemplateAndOverrides?.Overrides).filter((o) => o !== undefined);
    const offerings =
      named.length > 0
        ? named.map((o) => ({
            instanceType: o.InstanceType ?? '',
            zone: o.AvailabilityZone ?? '',
            capacityType: offered[0]?.capacityType ?? 'on-demand',
          }))
        : offered;
    const code = capacity[0]?.ErrorCode ?? 'InsufficientInstanceCapacity';
    return new InsufficientCapacityError(
      `claim ${claim}: ${code}: ${capacity[0]?.ErrorMessage ?? ''}`.trim(),
      offerings,
      code,
      { cause: errors },
    );
  }
  const first = errors[0];
  return new CloudError(
    `claim ${claim}: CreateFleet ${first?.ErrorCode ?? 'error'}: ${first?.ErrorMessage ?? ''}`,
    { cause: errors },
  );
}
