/** The figures of one step of a workload on one side of `npm run bench:cluster`, and their table. */
export interface StepResult {
  workload: string;
  step: string;
  side: string;
  /** Seconds from the change to all pods Running (scale-out), or to the last node change (scale-in, drift); null: timed out. */
  seconds: number | null;
  podStartP50?: number | undefined;
  podStartP99?: number | undefined;
  /** Seconds the API server took over each pod creation of a scale-out (its audit log): p50 and p99. */
  createP50?: number | undefined;
  createP99?: number | undefined;
  /** Seconds from the change to the last new pod's creation (scale-out): the floor no provisioner can beat. */
  lastCreated?: number | undefined;
  nodes: number;
  launched: number;
  removed: number;
  price: number;
  bound: number;
  evictions: number;
  refusedEvictions: number;
  podDeletes: number;
  pdbViolations: number;
  pendingOver60: number;
  cpuSeconds: number;
  avgCores: number;
  p95RssMb: number;
  requestsPerSecond: number;
  note?: string;
}

/** A figure, or – when there is none (undefined; NaN: no controller to sample). */
const f = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);

export function quantile(xs: readonly number[], q: number): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** One markdown table, the two sides of each step on adjacent rows. */
export function table(results: readonly StepResult[]): string {
  const head = [
    'workload',
    'step',
    'side',
    'time (s)',
    'pod start p50 / p99 (s)',
    'pod creation p50 / p99 (ms)',
    'last pod created (s)',
    'nodes (+launched −removed)',
    '$/h',
    '× LP bound',
    'evictions (refused)',
    'PDB below min',
    'pods Pending > 60 s',
    'CPU s (avg cores)',
    'P95 RSS (MB)',
    'API req/s',
  ];
  const rows = results.map((r) => [
    r.workload,
    r.step,
    r.side,
    r.seconds === null ? 'timed out' : f(r.seconds),
    r.podStartP50 === undefined ? '–' : `${f(r.podStartP50)} / ${f(r.podStartP99)}`,
    r.createP50 === undefined ? '–' : `${f(r.createP50 * 1000, 0)} / ${f((r.createP99 ?? 0) * 1000, 0)}`,
    f(r.lastCreated),
    `${r.nodes} (+${r.launched} −${r.removed})`,
    f(r.price, 3),
    r.bound > 0 ? f(r.price / r.bound, 3) : '–',
    `${r.evictions} (${r.refusedEvictions})${r.podDeletes > 0 ? `, ${r.podDeletes} deleted` : ''}`,
    String(r.pdbViolations),
    String(r.pendingOver60),
    Number.isNaN(r.cpuSeconds) ? '–' : `${f(r.cpuSeconds)} (${f(r.avgCores, 2)})`,
    f(r.p95RssMb, 0),
    f(r.requestsPerSecond),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const notes = results.filter((r) => r.note).map((r) => `- ${r.workload} ${r.step} on ${r.side}: ${r.note}`);
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

/**
 * Berth against Karpenter per step: time and $/h ratios, the issue's goals; the free provisioner's
 * times (the ideal sides); and each side against the floor.
 */
export function comparison(results: readonly StepResult[]): string[] {
  const out: string[] = [];
  const keys = [...new Set(results.map((r) => `${r.workload}\u0000${r.step}`))];
  for (const k of keys) {
    const [workload, step] = k.split('\u0000');
    const of = (side: string) =>
      results.find((r) => r.workload === workload && r.step === step && r.side === side);
    const b = of('berth');
    const c = of('karpenter');
    if (b && c) {
      const time = b.seconds !== null && c.seconds ? f(b.seconds / c.seconds, 2) : '–';
      const price = c.price > 0 ? f(b.price / c.price, 3) : '–';
      out.push(`${workload} ${step}: Berth/Karpenter time ${time}×, $/h ${price}×`);
    }
    const noop = of('karpenter-noop');
    if (b && noop?.createP50 !== undefined && b.createP50 !== undefined) {
      const ratio = (x: number | undefined, y: number | undefined) =>
        x !== undefined && y !== undefined && y > 0 ? f(x / y, 2) : '–';
      out.push(
        `${workload} ${step}: pod creation against Karpenter with a no-op webhook: p50 ` +
          `${ratio(b.createP50, noop.createP50)}×, p99 ${ratio(b.createP99, noop.createP99)}× (goal ≤ 1.2×)` +
          (c?.seconds && b.seconds !== null
            ? `; time ${f(b.seconds / c.seconds, 2)}× Karpenter's (goal ≤ 0.5×)`
            : ''),
      );
    }
    const free = [of('ideal'), of('ideal-gated')].flatMap((r) =>
      r?.seconds == null ? [] : [`${r.side === 'ideal' ? 'pods ungated' : 'pods gated'} ${f(r.seconds)} s`],
    );
    const half = c?.seconds == null ? [] : [`half Karpenter's time is ${f(c.seconds / 2)} s`];
    if (free.length > 0)
      out.push(
        `${workload} ${step}: a free provisioner (its Nodes created as the registration delay ends): ` +
          free.concat(half).join('; '),
      );
    const floor = of('ready')?.seconds;
    if (floor === undefined || floor === null) continue;
    const over = (r: StepResult | undefined, name: string) =>
      r?.seconds == null ? [] : [`${name} ${f(r.seconds)} s (+${f(r.seconds - floor)} s)`];
    out.push(
      [`${workload} ${step}: the floor (Nodes Ready before the apply, no provisioner) ${f(floor)} s`]
        .concat(over(b, 'Berth'), over(c, 'Karpenter'), half)
        .join('; '),
    );
  }
  return out;
}
