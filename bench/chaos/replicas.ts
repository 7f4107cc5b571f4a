/**
 * Berth as deploy/ runs it, on the kwok tier: two replicas of `berth serve --cloud kwok` with leader
 * election (the Lease berth-system/berth-leader), each on ports of its own, behind two Services (the
 * webhooks' and the scheduling gate's; ./service.ts) that the API server's webhook configurations
 * name. A replica killed is started again after a while, as the kubelet restarts its container.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedNodeOptions } from '../deployed.js';
import { freePort, type ControlPlane } from '../../test/e2e/control-plane.js';
import {
  kubectlWith,
  leaseField,
  loopbackCerts,
  registerWebhooks,
  startBerth,
  type Berth,
} from '../../test/e2e/harness.js';
import { startService } from './service.js';

export const IDENTITIES = ['berth-a', 'berth-b'] as const;
export type Identity = (typeof IDENTITIES)[number];

interface Ports {
  port: number;
  metricsPort: number;
  gatePort: number;
}

export interface ReplicaOptions {
  /** kwok's registration delay, seconds. */
  delay: number;
  policies: string;
  logLevel?: string;
  /** More `berth serve` flags, and environment. */
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export class BerthReplicas {
  private readonly running = new Map<Identity, Berth>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private services: { stop: () => Promise<void> }[] = [];
  /** Times each replica was started, the first included. */
  readonly starts = new Map<Identity, number>();

  private constructor(
    private readonly cp: ControlPlane,
    private readonly dir: string,
    private readonly tls: string,
    private readonly ports: ReadonlyMap<Identity, Ports>,
    private readonly o: ReplicaOptions,
  ) {}

  /** Starts both replicas and registers Berth's webhooks at their Services. */
  static async start(cp: ControlPlane, dir: string, o: ReplicaOptions): Promise<BerthReplicas> {
    const ports = new Map<Identity, Ports>();
    for (const id of IDENTITIES)
      ports.set(id, { port: await freePort(), metricsPort: await freePort(), gatePort: await freePort() });
    const r = new BerthReplicas(cp, dir, loopbackCerts(dir), ports, o);
    for (const id of IDENTITIES) await r.start(id);
    const main = await startService(IDENTITIES.map((id) => r.portOf(id, 'port')));
    const gate = await startService(IDENTITIES.map((id) => r.portOf(id, 'gatePort')));
    r.services = [main, gate];
    const ca = readFileSync(join(r.tls, 'ca.crt')).toString('base64');
    const to = { url: `https://127.0.0.1:${main.port}`, gateUrl: `https://127.0.0.1:${gate.port}` };
    const reg = registerWebhooks(kubectlWith(cp.kubeconfig), to, ca);
    if (reg.code !== 0) throw new Error(`registering Berth's webhooks: ${reg.stderr}`);
    return r;
  }

  private portOf(id: Identity, key: keyof Ports): number {
    const p = this.ports.get(id);
    if (!p) throw new Error(`no ports for ${id}`);
    return p[key];
  }

  async start(id: Identity): Promise<void> {
    if (this.running.has(id)) return;
    const kubeconfig = this.cp.kubeconfigs.controller;
    if (!kubeconfig) throw new Error('the control plane has no user controller');
    const berth = await startBerth({
      kubeconfig,
      tlsDir: this.tls,
      policies: this.o.policies,
      dir: this.dir,
      identity: id,
      port: this.portOf(id, 'port'),
      metricsPort: this.portOf(id, 'metricsPort'),
      gatePort: this.portOf(id, 'gatePort'),
      args: [
        ...['--cloud', 'kwok', '--kwok-registration-delay', String(this.o.delay)],
        ...['--log-level', this.o.logLevel ?? 'info', '--solver-nice', '0'],
        ...(this.o.args ?? []),
      ],
      env: { ...this.o.env, NODE_OPTIONS: deployedNodeOptions().join(' ') },
    });
    this.running.set(id, berth);
    this.starts.set(id, (this.starts.get(id) ?? 0) + 1);
  }

  /** Kills a replica (SIGKILL: no lease released, nothing finished) and starts it again after `restartMs`. */
  async kill(id: Identity, restartMs?: number): Promise<void> {
    const b = this.running.get(id);
    this.running.delete(id);
    await b?.stop('SIGKILL');
    if (restartMs === undefined) return;
    const t = setTimeout(() => {
      this.restarts.delete(t);
      void this.start(id).catch((e: unknown) => process.stderr.write(`restarting ${id}: ${String(e)}\n`));
    }, restartMs);
    this.restarts.add(t);
  }

  /** The Lease's holder, if it names a replica. */
  leader(): Identity | undefined {
    const h = leaseField(kubectlWith(this.cp.kubeconfig), '.spec.holderIdentity');
    return IDENTITIES.find((id) => id === h);
  }

  up(): Identity[] {
    return IDENTITIES.filter((id) => this.running.has(id));
  }

  pids(): number[] {
    return [...this.running.values()].flatMap((b) => (b.proc.pid === undefined ? [] : [b.proc.pid]));
  }

  logs(): string[] {
    return IDENTITIES.map((id) => join(this.dir, `berth-${id}.log`));
  }

  async stop(): Promise<void> {
    for (const t of this.restarts) clearTimeout(t);
    await Promise.all([...this.running.values()].map((b) => b.stop()));
    this.running.clear();
    await Promise.all(this.services.map((s) => s.stop()));
  }
}
