import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import type { BoundPod, ExistingNode, SolverInput, SolverPod } from '../solver/model.js';
import { res } from '../solver/resources.js';
import { nominate, placedOn } from './nominate.js';

const pod = (name: string, cpu: string, app = name): SolverPod =>
  solverPod(`perf/${name}`, 'perf', {
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '1Gi' } } }] },
  });
const bound = (p: SolverPod): BoundPod => ({
  id: p.id,
  namespace: p.namespace,
  labels: p.labels,
  requests: p.requests,
});
const node = (name: string, cpu: number, o: Partial<ExistingNode> = {}): ExistingNode => ({
  name,
  labels: {},
  taints: [],
  allocatable: res(cpu, 64_000, 110),
  pods: [],
  inFlight: false,
  ...o,
});
const input = (pods: SolverPod[], nodes: ExistingNode[] = []): SolverInput => ({
  pods,
  nodes,
  pools: [],
  daemonSets: [],
  catalog: builtinCatalog(),
});

const big = pod('big', '3');
const small = pod('small', '1');

describe('nominate', () => {
  it('keeps a claim in flight on the pods it was launched for, out of the demand; the rest is planned', () => {
    const claim = node('claim-1', 4000, { inFlight: true });
    const r = nominate(input([big, small]), [claim], [{ claim: 'claim-1', pods: [bound(big)] }]);
    expect(r.input.pods.map((p) => p.id)).toEqual(['perf/small']);
    expect(r.input.nodes.find((n) => n.name === 'claim-1')?.pods.map((p) => p.id)).toEqual(['perf/big']);
    expect([...r.nominated]).toEqual([['perf/big', 'claim-1']]);
  });

  it('keeps a replacement of its workload made since (the one planned was deleted)', () => {
    const again = pod('big-2', '3', 'big');
    const r = nominate(
      input([again]),
      [node('claim-1', 4000, { inFlight: true })],
      [{ claim: 'claim-1', pods: [bound(big)] }],
    );
    expect([...r.nominated]).toEqual([['perf/big-2', 'claim-1']]);
  });

  it('keeps them on the Node a claim registered as while it is not Ready', () => {
    const starting = node('ip-10-0-0-1', 4000, { notReady: true });
    const r = nominate(
      input([big], [starting]),
      [],
      [{ claim: 'claim-1', pods: [bound(big)], registeredAs: 'ip-10-0-0-1' }],
    );
    expect([...r.nominated]).toEqual([['perf/big', 'ip-10-0-0-1']]);
  });

  it('keeps nothing a claim has no room for (it came up smaller), nor pods no longer waiting', () => {
    const tiny = node('claim-1', 2000, { inFlight: true });
    expect(nominate(input([big]), [tiny], [{ claim: 'claim-1', pods: [bound(big)] }]).nominated.size).toBe(0);
    const r = nominate(
      input([]),
      [node('claim-2', 4000, { inFlight: true })],
      [{ claim: 'claim-2', pods: [bound(big)] }],
    );
    expect(r.nominated.size).toBe(0);
    expect(r.input.nodes.map((n) => n.name)).toEqual(['claim-2']);
  });
});

describe('placedOn', () => {
  it('names the Node for pods held or planned on one that is there, none for pods awaiting capacity', () => {
    const there = node('node-a', 4000, { pods: [bound(big)] });
    const flying = node('claim-1', 4000, { inFlight: true, pods: [bound(small)] });
    const waiting = new Set(['perf/big', 'perf/small', 'perf/other']);
    const plan = { bindings: [{ pod: 'perf/other', node: 'node-a' }] };
    const out = placedOn(waiting, plan, { nodes: [there, flying] }, new Set(['perf/small']));
    expect([...out].sort()).toEqual([
      ['perf/big', 'node-a'],
      ['perf/other', 'node-a'],
    ]);
  });
});
