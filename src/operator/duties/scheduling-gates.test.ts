import type { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SCHEDULING_GATE } from '../../admission/gate.js';
import { Metrics } from '../../observability/metrics.js';
import { defaultPolicies, loadPolicies } from '../../policies/policies.js';
import type { RoundResult } from '../../provisioner/controller/provisioner.js';
import { plannedNodeTerm } from '../../kube/pod-gates.js';
import type { SpreadFact } from '../../provisioner/controller/spread-lifts.js';
import { SchedulingGates } from './scheduling-gates.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

const pod = (name: string, cpu: string, gates = [{ name: SCHEDULING_GATE }], ageS = 5): V1Pod => ({
  metadata: { name, namespace: 'perf', creationTimestamp: new Date(NOW - ageS * 1000) },
  spec: {
    containers: [{ name: 'app', image: 'app', resources: { requests: { cpu, memory: '1Gi' } } }],
    schedulingGates: gates,
  },
});

/** The API server's answer to a pod patch (default: accepted at once). */
type Answer = (name: string) => Promise<unknown>;

function world(
  pods: V1Pod[],
  policies = defaultPolicies(),
  answer: Answer = () => Promise.resolve({}),
  replan?: () => void,
  join?: { nodes: V1Node[]; nominated: Record<string, string> } & {
    policyGate?: { sync: (gating: boolean) => Promise<void> };
  },
) {
  const policyGate = join?.policyGate;
  const patches: { name: string; body: unknown }[] = [];
  let now = NOW;
  const core = {
    patchNamespacedPod: (req: { name: string; body: unknown }) => {
      patches.push({ name: req.name, body: req.body });
      return answer(req.name);
    },
  } as unknown as Pick<CoreV1Api, 'patchNamespacedPod'>;
  const listeners: ((p: V1Pod, verb: 'add' | 'update' | 'delete') => void)[] = [];
  const cache = {
    synced: true,
    list: () => pods,
    onChange: (l: (p: V1Pod, verb: 'add' | 'update' | 'delete') => void) => {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
  };
  const nodeListeners: ((n: V1Node, verb: 'add' | 'update' | 'delete') => void)[] = [];
  const nodeCache = {
    synced: true,
    list: () => join?.nodes ?? [],
    get: (name: string) => join?.nodes.find((n) => n.metadata?.name === name),
    onChange: (l: (n: V1Node, verb: 'add' | 'update' | 'delete') => void) => {
      nodeListeners.push(l);
      return () => nodeListeners.splice(nodeListeners.indexOf(l), 1);
    },
  };
  let released = 0;
  const metrics = new Metrics({ defaults: false });
  const gates = new SchedulingGates({
    core,
    shared: {
      acquire: (key: string) => (key === 'nodes' ? nodeCache : cache) as never,
      release: () => {
        released += 1;
        return Promise.resolve();
      },
    },
    live: { current: policies },
    logger: pino({ level: 'silent' }),
    metrics,
    now: () => now,
    sweepMs: 60_000,
    settleMs: 20,
    ...(replan ? { replan } : {}),
    ...(join && join.nodes.length > 0 ? { nominatedOn: (p: string) => join.nominated[p] } : {}),
    ...(policyGate ? { policyGate } : {}),
  });
  const advance = (ms: number) => {
    now += ms;
  };
  const change = (p: V1Pod) => {
    for (const l of [...listeners]) l(p, 'update');
  };
  const nodeChange = (n: V1Node, verb: 'add' | 'update' = 'update') => {
    for (const l of [...nodeListeners]) l(n, verb);
  };
  return {
    gates,
    patches,
    metrics,
    released: () => released,
    advance,
    change,
    listeners,
    nodeChange,
    nodeListeners,
  };
}

const round = (
  planned: string[],
  awaiting: string[],
  targets = new Map<string, string>(),
  spread = new Map<string, SpreadFact[]>(),
): RoundResult =>
  ({
    planned: new Set(planned),
    awaitingCapacity: new Set(awaiting),
    targets,
    spread,
    plan: { unschedulable: [] },
  }) as unknown as RoundResult;

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('SchedulingGates', () => {
  it('announces gates only while it runs with gates on and the provisioner on', () => {
    const shipped = readFileSync('policies.yaml', 'utf8');
    const off = loadPolicies(shipped.replace('schedulingGates: true', 'schedulingGates: false'), 'p.yaml');
    const idle = loadPolicies(shipped.replace('mode: berth ', 'mode: karpenter '), 'p.yaml');
    if (!off.ok || !idle.ok) throw new Error('policies do not load');
    const on = world([]);
    expect(on.gates.on()).toBe(false);
    on.gates.start();
    expect(on.gates.on()).toBe(true);
    for (const p of [off.policies, idle.policies]) {
      const w = world([], p);
      w.gates.start();
      expect(w.gates.on()).toBe(false);
    }
  });

  it('with the gate a MutatingAdmissionPolicy, binds it while gating, and unbinds it before its last lifts', async () => {
    const pods = [pod('a', '1')];
    const told: string[] = [];
    let w: ReturnType<typeof world> | undefined = undefined;
    const policyGate = {
      sync: (gating: boolean) => {
        told.push(`${String(gating)} after ${String(w?.patches.length ?? 0)} lifts`);
        return Promise.resolve();
      },
    };
    w = world(pods, defaultPolicies(), undefined, undefined, { nodes: [], nominated: {}, policyGate });
    expect(w.gates.announcement()).toBe('off');
    w.gates.start();
    expect(w.gates.announcement()).toBe('policy');
    await w.gates.stop();
    expect(told).toEqual(['true after 0 lifts', 'false after 0 lifts']);
    expect(w.patches.map((p) => p.name)).toEqual(['a']);
    expect(w.gates.announcement()).toBe('off');
    // Without one, the gate webhook gates.
    const hook = world([]);
    hook.gates.start();
    expect(hook.gates.announcement()).toBe('on');
  });

  it('after a round, lifts the pods with room, largest first, by a JSON patch that tests the gate and steers to the planned Node', async () => {
    const pods = [
      pod('small', '500m'),
      pod('large', '4'),
      pod('waits', '4'),
      pod('own-gate-first', '1', [{ name: 'example.com/quota' }, { name: SCHEDULING_GATE }]),
      pod('not-planned', '8'),
    ];
    const w = world(pods);
    w.gates.start();
    const targets = new Map([['perf/large', 'node-a']]);
    w.gates.afterRound(
      round(['perf/small', 'perf/large', 'perf/waits', 'perf/own-gate-first'], ['perf/waits'], targets),
    );
    await settle();
    expect(w.patches.map((p) => p.name)).toEqual(['large', 'own-gate-first', 'small']);
    expect(w.patches[1]?.body).toEqual([
      { op: 'test', path: '/spec/schedulingGates/1/name', value: SCHEDULING_GATE },
      { op: 'remove', path: '/spec/schedulingGates/1' },
    ]);
    // The pod the round put on a Node there is steered to it as its gate comes off.
    expect(w.patches[0]?.body).toContainEqual({
      op: 'add',
      path: '/spec/affinity',
      value: {
        nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [plannedNodeTerm('node-a')] },
      },
    });
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('berth_provisioner_gates_lifted_total{reason="capacity"} 3');
    // The cache still shows them gated: a second round does not lift them again.
    w.gates.afterRound(round(['perf/small', 'perf/large'], []));
    await settle();
    expect(w.patches).toHaveLength(3);
  });

  it('lifts a zone spread in layers, and asks for a round when a pod binds while others wait for it', async () => {
    const pods = [pod('a1', '1'), pod('a2', '1'), pod('b1', '1')];
    let replans = 0;
    const w = world(pods, defaultPolicies(), undefined, () => {
      replans += 1;
    });
    w.gates.start();
    const zone = (domain: string): SpreadFact[] => [
      { group: 'app', maxSkew: 1, domain, bound: 0, min: 0, self: true },
    ];
    const ids = ['perf/a1', 'perf/a2', 'perf/b1'];
    const targets = new Map([
      ['perf/a1', 'node-a'],
      ['perf/a2', 'node-a'],
      ['perf/b1', 'node-b'],
    ]);
    const spread = new Map([
      ['perf/a1', zone('a')],
      ['perf/a2', zone('a')],
      ['perf/b1', zone('b')],
    ]);
    w.gates.afterRound(round(ids, [], targets, spread));
    await settle();
    // One pod per zone: the second for zone a would be a skew of 2 if the scheduler took it first.
    expect(w.patches.map((p) => p.name).sort()).toEqual(['a1', 'b1']);
    const bound: V1Pod = {
      metadata: { name: 'a1', namespace: 'perf' },
      spec: { containers: [], nodeName: 'node-a' },
    };
    w.change(bound);
    expect(replans).toBe(1);
    // The next round sees a1 and b1 bound: a2 goes.
    const after = new Map([['perf/a2', [{ ...zone('a')[0], bound: 1, min: 1 } as SpreadFact]]]);
    w.gates.afterRound(round(['perf/a2'], [], new Map([['perf/a2', 'node-a']]), after));
    await settle();
    expect(w.patches.map((p) => p.name)).toContain('a2');
    w.change(bound);
    expect(replans).toBe(1);
    await w.gates.stop();
    expect(w.listeners).toHaveLength(0);
  });

  it('lets pods through as the Node they were launched for joins, with no round, spread pods excepted', async () => {
    const zonal = pod('zonal', '1');
    if (zonal.spec)
      zonal.spec.topologySpreadConstraints = [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
      ];
    const pods = [pod('a', '1'), pod('b', '4'), pod('c', '1'), zonal];
    const node = (name: string, ready: boolean): V1Node => ({
      metadata: { name },
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    const nodes = [node('berth-x-1-0001', false), node('berth-x-1-0002', false)];
    const nominated = {
      'perf/a': 'berth-x-1-0001',
      'perf/b': 'berth-x-1-0001',
      'perf/c': 'berth-x-1-0002',
      'perf/zonal': 'berth-x-1-0001',
    };
    const w = world(pods, defaultPolicies(), undefined, undefined, { nodes, nominated });
    w.gates.start();
    // Registered, not Ready: nothing yet.
    w.nodeChange(nodes[0] as V1Node, 'add');
    await new Promise((r) => setTimeout(r, 300));
    expect(w.patches).toHaveLength(0);
    nodes[0] = node('berth-x-1-0001', true);
    w.nodeChange(nodes[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.patches.map((p) => p.name)).toEqual(['b', 'a']);
    expect(w.patches[0]?.body).toContainEqual({
      op: 'add',
      path: '/spec/affinity',
      value: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [plannedNodeTerm('berth-x-1-0001')],
        },
      },
    });
    // Heartbeats of a Node seen joined ask for nothing.
    w.nodeChange(nodes[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.patches).toHaveLength(2);
    await w.gates.stop();
    expect(w.nodeListeners).toHaveLength(0);
    expect(w.released()).toBe(2);
  });

  it("pins a ReplicaSet's pods to the Node they were launched for, as far as its room goes, and asks a round for the rest", async () => {
    const owned = (name: string, cpu: string): V1Pod => {
      const p = pod(name, cpu);
      if (p.metadata)
        p.metadata.ownerReferences = [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs', controller: true },
        ];
      return p;
    };
    // A pod bound there already and one pinned there (its gate off, not bound yet) take 1 of its 4 cores each.
    const bound = owned('bound', '1');
    if (bound.spec) Object.assign(bound.spec, { nodeName: 'n1', schedulingGates: [] });
    const pinned = owned('pinned', '1');
    if (pinned.spec)
      Object.assign(pinned.spec, {
        schedulingGates: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
              ],
            },
          },
        },
      });
    const pods = [owned('a', '1'), owned('b', '1'), owned('c', '1'), pod('bare', '1'), bound, pinned];
    const n1: V1Node = {
      metadata: { name: 'n1' },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      },
    };
    const nominated = { 'perf/a': 'n1', 'perf/b': 'n1', 'perf/c': 'n1', 'perf/bare': 'n1' };
    let replans = 0;
    const w = world(pods, defaultPolicies(), undefined, () => (replans += 1), { nodes: [n1], nominated });
    w.gates.start();
    w.nodeChange(n1, 'add');
    await new Promise((r) => setTimeout(r, 300));
    // Two of a, b, c fit beside the two pods there; the bare pod is steered, not pinned.
    const names = w.patches.map((p) => p.name);
    expect(names).toHaveLength(3);
    expect(names).toContain('bare');
    const pinnedLifts = w.patches.filter((p) => p.name !== 'bare');
    for (const p of pinnedLifts)
      expect(p.body).toContainEqual({
        op: 'add',
        path: '/spec/affinity',
        value: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
              ],
            },
          },
        },
      });
    expect(w.patches.find((p) => p.name === 'bare')?.body).toContainEqual({
      op: 'add',
      path: '/spec/affinity',
      value: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [plannedNodeTerm('n1')] } },
    });
    expect(replans).toBe(1);
    // The pins under way still count while the cache shows their pods gated: a round's lift of the third finds no room.
    const third = ['a', 'b', 'c'].find((n) => !names.includes(n)) ?? '';
    w.gates.afterRound(round([`perf/${third}`], [], new Map([[`perf/${third}`, 'n1']])));
    await settle();
    expect(w.patches).toHaveLength(3);
    // With pins off, it is steered like any other pod.
    const shipped = readFileSync('policies.yaml', 'utf8').replace(
      'pinToPlannedNode: true',
      'pinToPlannedNode: false',
    );
    const off = loadPolicies(shipped, 'p.yaml');
    if (!off.ok) throw new Error('policies do not load');
    const v = world([owned('a', '1')], off.policies, undefined, undefined, { nodes: [n1], nominated });
    v.gates.start();
    v.nodeChange(n1, 'add');
    await new Promise((r) => setTimeout(r, 300));
    expect(v.patches[0]?.body).toContainEqual({
      op: 'add',
      path: '/spec/affinity',
      value: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [plannedNodeTerm('n1')] } },
    });
    await w.gates.stop();
    await v.gates.stop();
  });

  it('patches each pod once while rounds overlap its lift, and tries a refused lift again only later', async () => {
    const pods = [pod('a', '1'), pod('b', '1'), pod('c', '1')];
    const slow: (() => void)[] = [];
    // a's patch hangs until released; b's is refused (changed since it was read); c's is accepted.
    const answer: Answer = (name) =>
      name === 'a'
        ? new Promise((r) => slow.push(() => r({})))
        : name === 'b'
          ? Promise.reject(Object.assign(new Error('test failed'), { code: 422 }))
          : Promise.resolve({});
    const w = world(pods, defaultPolicies(), answer);
    w.gates.start();
    const all = round(['perf/a', 'perf/b', 'perf/c'], []);
    w.gates.afterRound(all);
    await settle();
    // Rounds every few hundred ms while a's patch is under way and the cache still shows all three gated.
    for (let i = 0; i < 5; i++) {
      w.advance(300);
      w.gates.afterRound(all);
      await settle();
    }
    expect(w.patches.map((p) => p.name).sort()).toEqual(['a', 'b', 'c']);
    for (const release of slow) release();
    await settle();
    // Once the refusal is old enough, b is read afresh and tried again; a and c are done.
    w.advance(10_001);
    w.gates.afterRound(all);
    await settle();
    expect(w.patches.map((p) => p.name).sort()).toEqual(['a', 'b', 'b', 'c']);
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('berth_provisioner_gates_lifted_total{reason="capacity"} 2');
  });

  it('when it stops, says gates are off, lifts every gate still on, again after the replicas read that', async () => {
    const pods = [pod('a', '1'), pod('b', '1')];
    const w = world(pods);
    w.gates.start();
    const stopping = w.gates.stop();
    expect(w.gates.on()).toBe(false);
    // A pod another replica gated before it read the Lease.
    await settle();
    pods.push(pod('late', '1'));
    await stopping;
    expect(w.patches.map((p) => p.name).sort()).toEqual(['a', 'b', 'late']);
    expect(w.released()).toBe(1);
    expect(w.gates.on()).toBe(false);
  });
});
