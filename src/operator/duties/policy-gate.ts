/**
 * The scheduling gate by MutatingAdmissionPolicy (admission/gate-policy.ts), kept by the leader's
 * scheduling-gates duty. The policy comes with the install; the leader only binds it: while it gates,
 * the binding is applied (server-side apply, field manager berth; again every minute, should someone
 * delete it), and once it stops gating, or stops, the binding is deleted, and the API server gates no
 * more pods.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../kube/objects.js';

/** Where the binding is written. */
export interface PolicyGateStore {
  apply(o: KubeObject): Promise<void>;
  /** Deletes the object; one already gone is no error. */
  remove(o: KubeObject): Promise<void>;
}

export interface PolicyGateDeps {
  readonly store: PolicyGateStore;
  /** The binding as it is applied now (owned by the policy: its uid read at each apply). */
  readonly binding: () => Promise<KubeObject>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** How often the binding is applied again while gating (default 60 s). */
  readonly reapplyMs?: number;
}

/** What the API server was last told: gating since a time, not gating, or unknown (start, a failure). */
type Told = { gating: true; at: number } | { gating: false } | undefined;

export class PolicyGate {
  private told: Told;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly d: PolicyGateDeps) {}

  /** Brings the binding to `gating`; one sync at a time, each after the one before. */
  sync(gating: boolean): Promise<void> {
    this.running = this.running.then(() => this.once(gating));
    return this.running;
  }

  /** Whether the API server has been told `gating` (applied recently enough, when gating). */
  private upToDate(gating: boolean, now: number): boolean {
    const t = this.told;
    if (t === undefined || t.gating !== gating) return false;
    return !t.gating || now - t.at < (this.d.reapplyMs ?? 60_000);
  }

  private async once(gating: boolean): Promise<void> {
    const now = (this.d.now ?? Date.now)();
    const t = this.told;
    if (this.upToDate(gating, now)) return;
    try {
      const binding = await this.d.binding();
      if (gating) await this.d.store.apply(binding);
      else await this.d.store.remove(binding);
      if (t?.gating !== gating)
        this.d.logger.info(
          { binding: binding.metadata?.name },
          gating
            ? 'scheduling gate: new pods gated by MutatingAdmissionPolicy'
            : 'scheduling gate: MutatingAdmissionPolicy binding removed',
        );
      this.told = gating ? { gating, at: now } : { gating };
    } catch (e) {
      this.told = undefined;
      this.d.logger.warn(
        { err: String(e), gating },
        'scheduling gate policy not synced; tried again shortly',
      );
    }
  }
}
