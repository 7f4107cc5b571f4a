/**
 * Leader election over a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
 * every retry period; another replica takes the Lease once it has gone unrenewed for its duration;
 * a holder that cannot renew within the renew deadline stops leading; a clean shutdown releases it.
 */
import type { KubernetesObjectApi, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaseTiming {
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_TIMING: LeaseTiming = {
  leaseDurationSeconds: 15,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export type LeaseAction = 'create' | 'renew' | 'acquire' | 'wait';

/** What to do with the Lease as read (undefined: it does not exist). Pure. */
export function leaseAction(lease: V1Lease | undefined, identity: string, now: Date): LeaseAction {
  if (!lease) return 'create';
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === identity) return 'renew';
  return liveHolder(lease, now) === undefined ? 'acquire' : 'wait';
}

/** MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface ElectorOptions {
  api: KubernetesObjectApi;
  namespace: string;
  name: string;
  identity: string;
  logger: Logger;
  timing?: LeaseTiming;
  clock?: () => Date;
  onStart: () => void;
  onStop: () => void;
  /** Annotations the holder writes on the Lease at each renewal (what it tells the other replicas). */
  annotations?: () => Readonly<Record<string, string>>;
}

/** A Lease's holder while its renewal has not expired (undefined: nobody leads). Pure. */
export function liveHolder(lease: V1Lease | undefined, now: Date): string | undefined {
  const holder = lease?.spec?.holderIdentity ?? '';
  if (holder === '') return undefined;
  const renewTime = lease?.spec?.renewTime;
  const renewed = renewTime === undefined ? 0 : new Date(renewTime).getTime();
  return now.getTime() > renewed + (lease?.spec?.leaseDurationSeconds ?? 15) * 1000 ? undefined : holder;
}

function isStatus(e: unknown, code: number): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

export class LeaderElector {
  leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly timing: LeaseTiming;
  private readonly clock: () => Date;
  /** The Lease as last read or written, whoever holds it. */
  private seen: V1Lease | undefined;

  constructor(private readonly o: ElectorOptions) {
    this.timing = o.timing ?? DEFAULT_TIMING;
    this.clock = o.clock ?? (() => new Date());
  }

  private ref(): V1Lease & { metadata: { name: string; namespace: string } } {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.o.name, namespace: this.o.namespace },
    };
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.o.api.read(this.ref());
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw e;
    }
  }

  private spec(prev: V1Lease | undefined, acquiring: boolean): V1Lease {
    const now = microTime(this.clock());
    const old = prev?.spec ?? {};
    const spec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.timing.leaseDurationSeconds,
      renewTime: now,
      acquireTime: acquiring ? now : (old.acquireTime ?? now),
      leaseTransitions: (old.leaseTransitions ?? 0) + (acquiring && prev ? 1 : 0),
    };
    const annotations = { ...prev?.metadata?.annotations, ...this.o.annotations?.() };
    return {
      ...this.ref(),
      metadata: {
        ...this.ref().metadata,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        ...(prev?.metadata?.resourceVersion ? { resourceVersion: prev.metadata.resourceVersion } : {}),
      },
      spec: spec as unknown as NonNullable<V1Lease['spec']>,
    };
  }

  /** One round: read, decide, write. Returns whether this replica holds the Lease now. */
  async tryOnce(): Promise<boolean> {
    const lease = await this.read();
    this.seen = lease;
    const action = leaseAction(lease, this.o.identity, this.clock());
    if (action === 'wait') return false;
    const written =
      action === 'create'
        ? await this.o.api.create(this.spec(undefined, true))
        : await this.o.api.replace(this.spec(lease, action === 'acquire'));
    this.seen = written;
    return true;
  }

  /**
   * An annotation of the Lease as this replica last saw it, while a live leader holds it (any
   * replica's view of what the leader announces; undefined when nobody leads).
   */
  leaderAnnotation(key: string): string | undefined {
    if (liveHolder(this.seen, this.clock()) === undefined) return undefined;
    return this.seen?.metadata?.annotations?.[key];
  }

  private async tick(): Promise<void> {
    let held = false;
    try {
      held = await this.tryOnce();
    } catch (e) {
      if (!isStatus(e, 409)) this.o.logger.warn({ err: String(e) }, 'lease update failed');
    }
    const now = this.clock().getTime();
    if (held) this.lastRenew = now;
    if (held && !this.leading) {
      this.leading = true;
      this.o.logger.info(
        { lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity },
        'became leader',
      );
      this.o.onStart();
    } else if (!held && this.leading && now - this.lastRenew > this.timing.renewDeadlineMs) {
      this.leading = false;
      this.o.logger.warn('lost the lease');
      this.o.onStop();
    }
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      void this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.timing.retryPeriodMs);
      });
    };
    loop();
  }

  /** Stops electing; a leader releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    this.o.onStop();
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity === this.o.identity) {
        const released = this.spec(lease, false);
        if (released.spec) {
          released.spec.holderIdentity = '';
          released.spec.leaseDurationSeconds = 1;
        }
        await this.o.api.replace(released);
      }
    } catch (e) {
      this.o.logger.warn({ err: String(e) }, 'could not release the lease');
    }
  }
}
