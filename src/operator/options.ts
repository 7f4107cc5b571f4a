/** What `berth serve` is started with: its flags, parsed once by the CLI, and what both modes share. */
import type { Logger } from 'pino';
import type { Session } from '../inputs/session.js';
import type { Metrics } from '../observability/metrics.js';
import type { LivePolicies } from '../policies/live.js';
import type { CliIO } from '../util/io.js';
import type { Running, ServeOptions } from '../webhook/server.js';
import type { CloudFlags } from './cloud-flags.js';

export interface ServeOpts extends CloudFlags {
  local?: boolean;
  host?: string;
  port: string;
  metricsPort: string;
  /** Cluster mode: the scheduling gate's own HTTPS port (unset: /gate on --port only). */
  gatePort?: string;
  /** Cluster mode: how pods are gated: auto (policy on 1.36+, else webhook), policy or webhook. */
  schedulingGate?: string;
  /** --no-http2: HTTP/1.1 only (commander sets false). */
  http2?: boolean;
  /** Default: ./tls with --local (made there on first use), /etc/berth/tls in a cluster. */
  tlsDir?: string;
  /** Cluster mode: the Secret (in --namespace) holding the serving certificate, copied into tlsDir. */
  tlsSecret?: string;
  /** The Secret is cert-manager's: read, never written. */
  certManager?: boolean;
  /** The Service the API server reaches Berth through (the certificate's names). */
  service?: string;
  /** Cluster mode: the webhook configurations to register once ready (a manifest file). */
  webhooks?: string;
  /** The ClusterRole whose deletion removes the registered configurations. */
  webhookOwner?: string;
  /** Register the webhooks as URLs on this host (Berth off the cluster's network). */
  webhookHost?: string;
  /** Seconds between SIGTERM and closing the servers, answering meanwhile. */
  shutdownDelay?: string;
  file?: string[];
  policies?: string;
  nodepools?: string[];
  catalog?: string;
  /** A region's on-demand price list (`aws pricing get-products` output): its prices and types. */
  prices?: string;
  kubeconfig?: string;
  /** The cluster's default topology spread constraints (Karpenter's --scheduler-config document). */
  schedulerConfig?: string;
  deadlineMs: string;
  failOpen?: boolean;
  identity?: string;
  namespace: string;
  /** Seconds between full report scans; `reports: false` (--no-reports) turns the scan off. */
  reportResync: string;
  reports: boolean;
  /** Seconds between a disruption decision and the check that it still holds (Karpenter: 15). */
  disruptionDelay: string;
  logLevel: string;
  /** json (default) or text, for a person. */
  logFormat?: string;
  /** Provision in mode berth even while a Karpenter controller is seen running. */
  takeOverFromKarpenter?: boolean;
}

/** What both modes of the operator start from. */
export interface ServeStart {
  opts: ServeOpts;
  session: Session;
  live: LivePolicies;
  base: { metrics: Metrics; logger: Logger; deadlineMs: number; failOpen: boolean };
  listen: ServeOptions;
  io: CliIO;
}

/** What a mode's composition root hands back to runOperator. */
export interface Started {
  running: Running;
  /** SIGTERM's first step (cluster mode): stop leading and registering; admission goes on. */
  drain?: () => Promise<void>;
  stop: () => Promise<void>;
}

export function port(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got ${v}`);
  return n;
}

export function seconds(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`${flag} must be at least ${min} (seconds), got ${value}`);
  return n;
}

/** Where the serving certificate is: --tls-dir, else ./tls with --local (made there), /etc/berth/tls in a cluster. */
export function tlsDirOf(opts: Pick<ServeOpts, 'tlsDir' | 'local'>): string {
  return opts.tlsDir ?? (opts.local === true ? 'tls' : '/etc/berth/tls');
}

/** The flags of the certificate and the webhooks' registration, which only cluster mode has. */
export function checkClusterFlags(opts: ServeOpts): void {
  for (const [flag, set] of [
    ['--tls-secret', opts.tlsSecret],
    ['--webhooks', opts.webhooks],
  ] as const)
    if (opts.local === true && set !== undefined) throw new Error(`${flag} is for cluster mode`);
  if (opts.certManager === true && opts.tlsSecret === undefined)
    throw new Error('--cert-manager names who writes --tls-secret: give --tls-secret too');
  for (const [flag, set] of [
    ['--webhook-owner', opts.webhookOwner],
    ['--webhook-host', opts.webhookHost],
  ] as const)
    if (set !== undefined && opts.webhooks === undefined) throw new Error(`${flag} goes with --webhooks`);
}
