/**
 * bench:chaos's small form: Karpenter's *basic* workload at 1/10 (100 pods) on the kwok tier, with two
 * Berth replicas behind their Services and leader election, as deploy/ runs them (bench/chaos/). Two
 * faults, each at a point drawn from a fixed seed: the leader killed (SIGKILL) mid scale-out, then,
 * growing to 160 pods, the three instance types Berth bought most refused for lack of capacity in its
 * two busiest zones with every launch answered after 5 s. After each, the cluster must settle with
 * every count at 0: no PDB below its minimum, no pod gated past 5 minutes or left Pending, no
 * NodeClaim without a Node nor Node without a claim, no claim launched twice, no finalizer stuck.
 */
import { describe, expect, it } from 'vitest';
import { installed } from './harness.js';
import { perfWorkloads } from '../support/perf-workloads.js';
import { faults } from '../../bench/chaos/faults.js';
import { nonZero } from '../../bench/chaos/ledger.js';
import { runSeed, type FaultResult } from '../../bench/chaos/run.js';

describe('10. faults at 1/10 scale, two replicas (bench:chaos small form)', () => {
  it('a leader killed mid scale-out and capacity refused mid scale-out: settled, nothing lost, nothing leaked', async () => {
    const basic = perfWorkloads(0.1).find((w) => w.name === 'basic')?.steps[0];
    if (basic?.kind !== 'scale-out') throw new Error("Karpenter's basic workload has no scale-out");
    const by = (f: number) =>
      Object.fromEntries(basic.create.map((d) => [d.name, Math.round(d.replicas * f)]));
    const chosen = faults({ full: by(1), scaledIn: by(0.7), grown: by(1.3), largest: by(1.6) }, 0.1).filter(
      (f) => f.name === 'leader killed mid scale-out' || f.name.startsWith('capacity refused'),
    );
    expect(chosen).toHaveLength(2);
    const log: string[] = [];
    const results: FaultResult[] = await runSeed({
      seed: 7,
      deploys: basic.create,
      faults: chosen,
      delay: 5,
      settleMs: 20_000,
      timeoutMs: 8 * 60_000,
      tools: { bin: installed('build-control-plane.sh'), kwok: installed('install-kwok.sh') },
      log: (s) => log.push(s),
    });
    const said = log.join('\n');
    expect(
      results.map((r) => r.fault),
      said,
    ).toEqual(chosen.map((f) => f.name));
    // The faults happened: a replica was killed (the Lease changed hands), the cloud refused.
    expect(said).toMatch(/killed the leader berth-[ab] \(SIGKILL\)/);
    expect(said).toMatch(/no capacity for \S+/);
    for (const r of results) {
      expect(r.mid, `${r.fault} came after the change was over:\n${said}`).toBe(true);
      expect(r.settled, `${r.fault} never settled:\n${said}`).not.toBeNull();
      expect(nonZero(r), `${r.fault}:\n${said}`).toEqual([]);
    }
  }, 1_200_000);
});
