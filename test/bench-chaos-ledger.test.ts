/** bench:chaos's counts (bench/chaos/ledger.ts) over what its watches recorded: each must find its fault. */
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ClusterObserver } from '../bench/cluster/observe.js';
import { ClaimLedger, counts, nonZero, STUCK_MS } from '../bench/chaos/ledger.js';

const NOW = 10_000_000;
const at = { now: NOW, since: 0, graceMs: 60_000 };

function world() {
  const kc = new KubeConfig();
  const o = new ClusterObserver(kc);
  const ledger = new ClaimLedger(kc);
  // A claim and its Node, a pod Running on it, its gate lifted after 2 s: nothing to count.
  o.nodes.set('c1', { seen: 0, labels: {}, leaving: false, providerId: 'aws:///a/i-1' });
  ledger.claims.set('c1', { created: 0, providerIds: ['aws:///a/i-1'] });
  o.pods.set('p1', { seen: 1000, running: 5000, node: 'c1', gated: { since: 1000, lifted: 3000 } });
  return { o, ledger };
}

describe("bench:chaos's counts", () => {
  it('are all 0 for a settled cluster', () => {
    const { o, ledger } = world();
    expect(nonZero({ ...counts(o, ledger, at), pdbViolations: 0 })).toEqual([]);
  });

  it.each([
    [
      'a pod gated past 5 minutes',
      (w: ReturnType<typeof world>) => {
        w.o.pods.set('p2', { seen: 1000, gated: { since: 1000 } });
      },
      { gatedOver5m: 1, pending: 1 },
    ],
    [
      'a claim whose Node never came, past the grace',
      (w: ReturnType<typeof world>) => {
        w.ledger.claims.set('c2', { created: 0, providerIds: ['aws:///a/i-2'] });
      },
      { claimsWithoutNode: 1 },
    ],
    [
      'a Node no claim names',
      (w: ReturnType<typeof world>) => {
        w.o.nodes.set('n9', { seen: 0, labels: {}, leaving: false, providerId: 'aws:///a/i-9' });
      },
      { nodesWithoutClaim: 1 },
    ],
    [
      'a claim launched twice',
      (w: ReturnType<typeof world>) => {
        w.ledger.claims.set('c1', { created: 0, providerIds: ['aws:///a/i-0', 'aws:///a/i-1'] });
      },
      { doubleLaunches: 1 },
    ],
    [
      'a Node deleting past the bound (its finalizer held)',
      (w: ReturnType<typeof world>) => {
        const n = w.o.nodes.get('c1');
        if (n) n.deleting = NOW - STUCK_MS - 1;
      },
      { stuck: 1 },
    ],
  ])('find %s', (_, fault, want) => {
    const w = world();
    fault(w);
    expect(counts(w.o, w.ledger, at)).toMatchObject({
      gatedOver5m: 0,
      pending: 0,
      claimsWithoutNode: 0,
      nodesWithoutClaim: 0,
      doubleLaunches: 0,
      stuck: 0,
      ...want,
    });
  });

  it('leave out a claim still launching (younger than the grace) and a pod created before the change', () => {
    const { o, ledger } = world();
    ledger.claims.set('c3', { created: NOW - 1000, providerIds: [] });
    o.pods.set('old', { seen: 0, running: 1, gated: { since: -400_000, lifted: 0 } });
    expect(counts(o, ledger, { ...at, since: 1 })).toMatchObject({ claimsWithoutNode: 0, gatedOver5m: 0 });
  });
});
