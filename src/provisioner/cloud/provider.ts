/**
 * The cloud behind the provisioner: launch a node for a claim, list what runs, terminate. Two
 * implementations: `aws` (EC2 CreateFleet) and `simulated` (in memory; optionally registers Nodes).
 * Errors at this boundary are typed and carry their cause.
 */
import type { Taint } from '../../scheduling/taints.js';
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import { legacyLabels } from '../../scheduling/well-known.js';

export interface Offering {
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
}

export interface LaunchRequest {
  /** The claim's name: also the idempotency token, so a retry or a restart never launches twice. */
  readonly claim: string;
  readonly nodePool: string;
  /** EC2NodeClass name (one launch template per class). */
  readonly nodeClass: string;
  readonly capacityType: string;
  /** Instance types that hold the claim's pods, cheapest first, and the zones it may use. */
  readonly instanceTypes: readonly string[];
  readonly zones: readonly string[];
  /** Labels and taints the node registers with. */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface Instance {
  readonly id: string;
  readonly claim: string;
  readonly nodePool: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
  /** `aws:///<zone>/<instance-id>`, as the kubelet registers it. */
  readonly providerId: string;
  readonly launchedAt: Date;
  /** The image it booted (aws), for the NodeClaim's status.imageID. */
  readonly imageId?: string;
  /**
   * Launched by a Berth that predates NodeClaims (tagged `berth.dev/claim` only): adopted — given the
   * claim it never had — rather than collected as an instance without one.
   */
  readonly legacy?: true;
}

/** A launched instance, and the offerings found short of capacity on the way (a partial fleet). */
export interface Launched extends Instance {
  readonly unavailable: readonly Offering[];
}

export interface CloudProvider {
  readonly name: 'aws' | 'simulated';
  create(req: LaunchRequest): Promise<Launched>;
  delete(id: string): Promise<void>;
  /** Instances this cluster's provisioner launched (from their tags), pending or running. */
  list(): Promise<Instance[]>;
}

export class CloudError extends Error {
  override readonly name: string = 'CloudError';
}

/** No capacity for these offerings now (InsufficientInstanceCapacity, UnfulfillableCapacity, …). */
export class InsufficientCapacityError extends CloudError {
  override readonly name = 'InsufficientCapacityError';
  constructor(
    message: string,
    readonly offerings: readonly Offering[],
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The claim's EC2NodeClass is missing or does not resolve (no subnet, no image, …): nothing can launch. */
export class NodeClassNotReadyError extends CloudError {
  override readonly name = 'NodeClassNotReadyError';
  constructor(
    readonly nodeClass: string,
    readonly reason: string,
    message: string,
  ) {
    super(`EC2NodeClass ${nodeClass} is not ready: ${reason}: ${message}`);
  }
}

/**
 * The EC2 tag that names an instance's NodeClaim (Karpenter's). Nodes carry no such label: a Node is
 * its claim's by providerID, as Karpenter matches them.
 */
export const CLAIM_TAG = 'karpenter.sh/nodeclaim';
/** The tag Berth named an instance's claim with before NodeClaims. */
export const LEGACY_CLAIM_TAG = 'berth.dev/claim';

/**
 * The labels a launched instance's node carries whatever planned it: its type's, its offering's (zone,
 * capacity type) and its NodePool.
 */
export function instanceLabels(instance: Instance, type: InstanceType | undefined): Record<string, string> {
  const labels = {
    ...(type?.labels ?? {}),
    [LABEL.zone]: instance.zone,
    [LABEL.capacityType]: instance.capacityType,
    [LABEL.nodePool]: instance.nodePool,
  };
  // As the kubelet registers them: the legacy well-known labels beside the current ones.
  return { ...legacyLabels(labels), ...labels };
}

export function providerIdOf(zone: string, id: string): string {
  return `aws:///${zone}/${id}`;
}

/** The instance id in a providerID (`aws:///us-east-1a/i-0abc` → `i-0abc`). */
export function instanceIdOf(providerId: string | undefined): string | undefined {
  const m = /^aws:\/\/\/[^/]*\/(.+)$/.exec(providerId ?? '');
  return m?.[1];
}
