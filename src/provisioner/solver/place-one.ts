/**
 * Placement of a pod with inter-pod constraints, one at a time and in order, as the scheduler would:
 * an existing node, then a claim of this plan, then a new claim on the highest-weight pool that can
 * take it (the cheapest offering among pools of equal weight).
 */
import { LABEL } from '../../catalog/instance-type.js';
import { untoleratedTaint } from '../../scheduling/taints.js';
import { Bin, narrow, wholePool, type PoolState } from './bin.js';
import type { SolverPod } from './model.js';
import type { TypeOption } from './pools.js';
import { fitsWith, type Res } from './resources.js';
import { cheapestHolding } from './type-choice.js';
import { domainsOf, type SolverState } from './state.js';
import type { PodTopology } from './topology.js';

/** The first zone (emptiest for the pod's spreads) where the pod's constraints hold on this bin. */
function pickZone(
  state: SolverState,
  topo: PodTopology,
  bin: { domain(key: string): string | undefined },
  zones: readonly string[],
  domains: readonly string[],
): string | undefined {
  const ordered = [...zones].sort(
    (a, b) => state.topology.countIn(topo, a) - state.topology.countIn(topo, b) || a.localeCompare(b),
  );
  return ordered.find(
    (z) =>
      state.topology.violation(topo, (k) => (k === LABEL.zone ? z : bin.domain(k)), domains) === undefined,
  );
}

/**
 * The most a claim of the plan may cost once it takes the pod: what it costs now plus the cheapest node
 * that would hold the pod alone. First fit grows a claim to the cheapest type holding all it took,
 * which past a family's largest size is a type bought for what it has beside CPU and memory (an f2
 * FPGA node, an x2iezn of 768 GiB): *wide*'s zone-spread pods, all placed here, bought 7 f2.6xlarge at
 * 2.1× the LP bound. No cap for a pod with a required pod affinity (it may need this very bin), nor
 * where the pod fits the claim's type as it is.
 */
function growthCap(bin: Bin, pod: SolverPod, types: readonly TypeOption[], alone: Alone): number {
  const now = bin.current;
  if (!bin.isNew || !now || pod.affinity.length > 0 || hasRoom(bin, pod.requests)) return Infinity;
  const own = alone(types);
  return own ? now.price + own.price : Infinity;
}

/** The cheapest of `types` that holds the pod alone, looked up once per list for the pod being placed. */
type Alone = (types: readonly TypeOption[]) => TypeOption | undefined;

function aloneFor(pod: SolverPod): Alone {
  const seen = new Map<readonly TypeOption[], TypeOption | undefined>();
  return (types) => {
    if (!seen.has(types)) seen.set(types, cheapestHolding(types, pod.requests));
    return seen.get(types);
  };
}

/** What placing one pod looks up once: its spreads' zones and the cheapest type holding it alone. */
interface ForPod {
  domains: string[];
  alone: Alone;
}

function tryBin(
  state: SolverState,
  bin: Bin,
  pod: SolverPod,
  topo: PodTopology,
  { domains, alone }: ForPod,
): boolean {
  const n = bin.accepts(pod, state.placementKey(pod), state.input.catalog);
  if (!n) return false;
  const cap = growthCap(bin, pod, n.types, alone);
  if (!bin.mayTake(pod.requests, n.types, cap)) return false;
  const zoneLater = bin.zone === undefined && topo.needsZone;
  // The constraints before the fit: a spread or anti-affinity refuses most bins at once, where the
  // fit of a new bin looks through its types.
  if (!zoneLater && state.topology.violation(topo, domainsOf(bin), domains) !== undefined) return false;
  if (!bin.fits(pod.requests, n, cap)) return false;
  if (zoneLater) {
    const zone = pickZone(state, topo, bin, n.zones, domains);
    if (zone === undefined) return false;
    state.place(bin, [pod], undefined, n);
    bin.pin(zone);
    state.topology.record(topo, domainsOf(bin));
    return true;
  }
  state.place(bin, [pod], topo, n);
  return true;
}

interface Candidate {
  pool: PoolState;
  narrowed: NonNullable<ReturnType<typeof narrow>>;
  type: TypeOption;
  zone: string | undefined;
}

function candidateIn(
  state: SolverState,
  pool: PoolState,
  pod: SolverPod,
  topo: PodTopology,
  domains: string[],
): Candidate | undefined {
  const option = pool.option;
  if (untoleratedTaint(option.view.taints, pod.tolerations)) return undefined;
  const whole = wholePool(option);
  for (const term of pod.terms) {
    const narrowed = narrow(option, whole, term, state.input.catalog);
    if (!narrowed) continue;
    const probe = Bin.claim('', { option, reserved: { ...pool.reserved } }, narrowed);
    const type = probe.typeFor(pod.requests);
    if (!type) continue;
    let zone: string | undefined;
    if (topo.needsZone) {
      zone = pickZone(
        state,
        topo,
        { domain: (k) => (k === LABEL.hostname ? '' : probe.domain(k)) },
        narrowed.zones,
        domains,
      );
      if (zone === undefined) continue;
    }
    return { pool, narrowed, type, zone };
  }
  return undefined;
}

function newBin(state: SolverState, pod: SolverPod, topo: PodTopology, domains: string[]): boolean {
  for (const tier of state.tiers) {
    let best: Candidate | undefined;
    for (const pool of tier) {
      const c = candidateIn(state, pool, pod, topo, domains);
      if (c && (!best || c.type.price < best.type.price)) best = c;
    }
    if (!best) continue;
    const bin = Bin.claim(state.newName(), best.pool, best.narrowed);
    if (best.zone !== undefined) bin.pin(best.zone);
    if (state.topology.violation(topo, domainsOf(bin), domains) !== undefined) continue;
    state.bins.push(bin);
    state.place(bin, [pod], topo, best.narrowed);
    return true;
  }
  return false;
}

/** Whether the bin holds one more pod of `req` as it is: an existing node, or a claim without growing. */
function hasRoom(bin: Bin, req: Readonly<Res>): boolean {
  if (bin.existing) return fitsWith(bin.existing.allocatable, bin.used, req);
  return bin.current !== undefined && fitsWith(bin.current.cap, bin.used, req);
}

/**
 * Places one pod; false when nothing can take it (the caller explains why): the first node or claim
 * that takes it (a claim may grow to a larger type, within growthCap), else a new claim. With
 * `roomFirst`, room already paid for comes before that: the newest node or claim that holds the pod as
 * it is (e.g. the spare room beside an anti-affinity pod).
 */
export function placeOne(state: SolverState, pod: SolverPod, topo: PodTopology): boolean {
  const domains = topo.needsZone ? state.zoneDomains(pod) : [];
  const once: ForPod = { domains, alone: aloneFor(pod) };
  if (state.roomFirst)
    for (let i = state.bins.length - 1; i >= 0; i--) {
      const bin = state.bins[i];
      if (bin && hasRoom(bin, pod.requests) && tryBin(state, bin, pod, topo, once)) return true;
    }
  for (const bin of state.bins) if (tryBin(state, bin, pod, topo, once)) return true;
  return newBin(state, pod, topo, domains);
}
