/**
 * Admission to launch, as a user feels it: the time from `kubectl apply` of a Deployment (admitted by
 * whichever replica the API server calls) to the leader's launch decision (the `decidedAt` of its
 * "launched" line), and from the admitting replica's decision to it. Both replicas log JSON lines stamped with the same machine clock.
 */
import { readFileSync, statSync } from 'node:fs';
import { eventually, type Berth, type kubectlWith } from './harness.js';

type Kubectl = ReturnType<typeof kubectlWith>;

interface Line {
  time: number;
  msg?: string;
  webhook?: string;
  kind?: string;
  name?: string;
  instanceType?: string;
  claim?: string;
  dryRun?: boolean;
  /** On a launched line: when the plan that launched it was decided. */
  decidedAt?: number;
}

function linesSince(log: string, offset: number): Line[] {
  const text = readFileSync(log, 'utf8').slice(offset);
  const out: Line[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Line);
    } catch {
      // a line still being written
    }
  }
  return out;
}

const sizeOf = (log: string): number => statSync(log).size;

export interface ApplyTiming {
  name: string;
  via: string;
  /** From starting `kubectl apply` to the leader's first launch decision after it. */
  applyToLaunchMs: number;
  /** From the admitting replica's validating decision to that launch decision. */
  admissionToLaunchMs: number;
  /** From starting `kubectl apply` to the admitting replica's validating decision: kubectl and the API server. */
  applyToAdmissionMs: number;
  instanceTypes: string[];
}

/** The Deployment a timing applies: one pod that needs a node of its own. */
export function bigDeployment(name: string, namespace: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace}, labels: { app.kubernetes.io/name: ${name} } }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: registry.example.com/${name}:1.0.0
          resources: { requests: { cpu: "7", memory: 20Gi }, limits: { memory: 20Gi } }
`;
}

/** Waits until a server-side dry run of `yaml` is reviewed by `via` (the API server now calls it). */
export async function routedTo(kubectl: Kubectl, via: Berth, yaml: string): Promise<void> {
  // From before the first try: a decision is logged just after its answer, maybe after kubectl exits.
  const from = sizeOf(via.log);
  await eventually(
    `the API server to call ${via.identity}`,
    () => {
      const r = kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
      if (r.code !== 0) throw new Error(r.stderr);
      return linesSince(via.log, from).some((l) => l.msg === 'decision' && l.dryRun === true);
    },
    30_000,
  );
}

export async function timeApply(
  kubectl: Kubectl,
  o: { name: string; yaml: string; via: Berth; leader: Berth },
): Promise<ApplyTiming> {
  const leaderFrom = sizeOf(o.leader.log);
  const viaFrom = sizeOf(o.via.log);
  const t0 = Date.now();
  const r = kubectl(['apply', '-f', '-'], o.yaml);
  if (r.code !== 0) throw new Error(r.stderr);
  const launched = await eventually(
    `a launch for ${o.name}`,
    () => {
      const l = linesSince(o.leader.log, leaderFrom).filter((x) => x.msg === 'launched');
      return l.length > 0 ? l : undefined;
    },
    30_000,
  );
  const decision = linesSince(o.via.log, viaFrom).find(
    (l) =>
      l.msg === 'decision' &&
      l.dryRun !== true &&
      l.webhook === 'validate' &&
      l.kind === 'Deployment' &&
      l.name === o.name,
  );
  if (!decision) throw new Error(`${o.via.identity} logged no decision for ${o.name}`);
  const first = Math.min(...launched.map((l) => l.decidedAt ?? l.time));
  return {
    name: o.name,
    via: o.via.identity,
    applyToLaunchMs: first - t0,
    admissionToLaunchMs: first - decision.time,
    applyToAdmissionMs: decision.time - t0,
    instanceTypes: launched.map((l) => l.instanceType ?? '?').sort(),
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}
