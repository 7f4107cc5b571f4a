import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { cluster } from '../../../test/support/disruption-cluster.js';
import { DISRUPTION_ANNOTATION } from './marks.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { INFLIGHT_NEEDS_CAPACITY, simulate } from './simulate.js';
import type { World } from './world.js';

const draining = (name: string, type?: string) =>
  node(name, {
    ...(type !== undefined ? { type } : {}),
    annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' },
  });
const kinds = (o: { all: readonly { kind: string }[] }) => o.all.map((x) => x.kind);

/** `nodes` and `pods` beside node `old`, whose replacing decision drains, held by a PDB on its pod. */
function besideReplacing(nodes: V1Node[], pods: V1Pod[]) {
  const old = node('old', {
    annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node', 'berth.dev/replacements': 'r1' },
  });
  const c = cluster(
    [...nodes, old],
    [...pods, pod('api', 'old', { app: 'api', cpu: '100m' })],
    [pdb('api-pdb', 'api', { minAvailable: 1 }, 0)],
    { replace: 'join' },
  );
  c.state.blocked.add('api');
  return c;
}

/**
 * gen5a's drift under way (m5.xlarge), its pod `a` of `aCpu` held by a PDB until the test lets it go;
 * beside it `other` with its pod, and node spare whose pod `small` takes `smallCpu`.
 */
function besideDrift(
  aCpu: string,
  other: { node: V1Node; pod: V1Pod },
  smallCpu: string,
  o: Parameters<typeof cluster>[3] = {},
) {
  const c = cluster(
    [
      node('gen5a', { type: 'm5.xlarge', annotations: { [DISRUPTION_ANNOTATION]: 'draining:drift' } }),
      other.node,
      node('spare'),
    ],
    [pod('a', 'gen5a', { cpu: aCpu, app: 'a' }), other.pod, pod('small', 'spare', { cpu: smallCpu })],
    [pdb('a-pdb', 'a', { minAvailable: 1 }, 0)],
    o,
  );
  c.state.blocked.add('a');
  return c;
}

describe('several disruption decisions under way', () => {
  it('decides beside a drain a PDB holds, and both go on', async () => {
    const c = cluster(
      [node('a'), draining('b'), node('empty')],
      [pod('web', 'a'), pod('api', 'b', { app: 'api' })],
      [pdb('api-pdb', 'api', { minAvailable: 1 }, 0)],
    );
    c.state.blocked.add('api');
    const first = await c.controller.round();
    expect(kinds(first)).toEqual(['draining', 'decided']);
    expect(first.all[1]).toMatchObject({ kind: 'decided', method: 'emptiness', nodes: ['empty'] });
    const second = await c.controller.round();
    expect(kinds(second)).toContain('terminated');
    expect(second.all.find((x) => x.kind === 'terminated')).toMatchObject({ nodes: ['empty'] });
    expect(second.all.find((x) => x.kind === 'draining')).toMatchObject({ nodes: ['b'], blocked: 1 });
    expect(c.state.terminated).toEqual(['empty']);
  });

  it('never counts on room the pods of a node being drained will need', async () => {
    // b's pod fits on a's room or a's on b's, but x's 3-core pod, still to move, needs that room too.
    const c = cluster(
      [draining('x'), node('a'), node('b')],
      [
        pod('big', 'x', { cpu: '3', app: 'big' }),
        pod('web', 'a', { cpu: '3' }),
        pod('small', 'b', { cpu: '500m' }),
      ],
      [pdb('big-pdb', 'big', { minAvailable: 1 }, 0)],
    );
    c.state.blocked.add('big');
    const held = await c.controller.round();
    expect(kinds(held)).toEqual(['draining', 'none']);
    expect(c.state.nodes.map((n) => n.metadata?.name)).toEqual(['x', 'a', 'b']);
    const kept = c.events.filter((e) => e.reason === 'DisruptionBlocked' && e.node === 'b');
    expect(kept[0]?.message).toMatch(/already being disrupted would need that room|would need new capacity/);
    // x's pod moved (the fake drops an evicted pod) and x went: now a's pod fits on b, or b's on a.
    c.state.blocked.clear();
    await c.controller.round();
    c.later(10_000);
    const after = await c.controller.round();
    const decided = after.all.find((x) => x.kind === 'decided') as { nodes: string[] } | undefined;
    expect(decided?.nodes).toHaveLength(1);
    expect(['a', 'b']).toContain(decided?.nodes[0]);
  });

  it('removes no empty node whose room the pods of a node being drained need', async () => {
    const c = cluster(
      [draining('x'), node('a'), node('e1'), node('e2')],
      [pod('big', 'x', { cpu: '3', app: 'big' }), pod('web', 'a', { cpu: '3' })],
      [pdb('big-pdb', 'big', { minAvailable: 1 }, 0)],
    );
    c.state.blocked.add('big');
    const round = await c.controller.round();
    // One empty node goes; the other stays for x's pod.
    expect(round.all[1]).toMatchObject({ kind: 'decided', method: 'emptiness' });
    expect((round.all[1] as { nodes: string[] }).nodes).toHaveLength(1);
  });

  it('keeps a replacement that joined empty while the node it replaces is under way', async () => {
    const c = cluster(
      [node('full'), node('big', { type: 'm6i.4xlarge' })],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join', validationMs: 15_000 },
    );
    const validating = (await c.controller.round()) as { kind: string; nodes: string[] };
    expect(validating.kind).toBe('validating');
    expect(validating.nodes).toContain('big');
    // Karpenter's order: nothing is launched before the check.
    expect(c.launched).toEqual([]);
    c.later(15_000);
    const launching = await c.controller.round();
    expect(kinds(launching)).toEqual(['launching', 'none']);
    const replacement = c.launched[0] ?? '';
    expect(c.events).toContainEqual({
      node: replacement,
      reason: 'DisruptionBlocked',
      message: 'it replaces a node being disrupted, whose pods it awaits',
    });
    const decided = (await c.controller.round()) as { kind: string; nodes: string[] };
    expect(decided.kind).toBe('decided');
    expect([...decided.nodes].sort()).toEqual([...validating.nodes].sort());
    expect(c.state.nodes.some((n) => n.metadata?.name === replacement)).toBe(true);
  });

  it('terminates a node once, though the cache still lists it for a while', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')], [], { lagging: true });
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', nodes: ['empty'] });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['empty'] });
    await c.controller.round();
    await c.controller.round();
    expect(c.state.terminated).toEqual(['empty']);
    expect(await c.metrics.registry.metrics()).toMatch(
      /berth_disruption_nodes_total\{method="emptiness"\} 1$/m,
    );
  });

  it('abandoning a decision never terminates a replacement kube-scheduler has filled meanwhile', async () => {
    let on = true;
    const c = cluster(
      [node('full'), node('big', { type: 'm6i.4xlarge' })],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join', validationMs: 15_000, enabled: () => on },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'validating' });
    c.later(15_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'launching' });
    const replacement = c.launched[0] ?? '';
    // A pod of another workload lands on the replacement; then disruption is turned off.
    c.state.pods.push(pod('stray', replacement, { cpu: '500m' }));
    on = false;
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: 'disruption was turned off' });
    expect(c.cancelled).not.toContain(replacement);
    expect(c.cancelled).toEqual(c.launched.filter((x) => x !== replacement));
  });

  it('decides more replacing consolidations beside a replacing drain, and launches them one by one once the pods ahead have moved', async () => {
    const c = besideReplacing(
      [node('full', { type: 'm6i.4xlarge' }), node('big', { type: 'm6i.4xlarge' })],
      [pod('busy', 'full', { cpu: '15' }), pod('small', 'big', { cpu: '1' })],
    );
    const first = await c.controller.round();
    expect(kinds(first)).toEqual(['draining', 'validating']);
    expect(first.all[1]).toMatchObject({ method: 'single-node', nodes: ['big'], after: 'old' });
    expect(c.launched).toEqual([]);
    c.state.blocked.delete('api');
    // Its check comes before the drain in a round: the drain's pod is still there. A third one
    // decided meanwhile waits behind it (turns go in the order decisions were made).
    const second = await c.controller.round();
    expect(second.all).toMatchObject([
      { kind: 'validating', nodes: ['big'], after: 'old' },
      { kind: 'draining', nodes: ['old'] },
      { kind: 'validating', nodes: ['full'], after: 'big' },
    ]);
    expect(c.launched).toEqual([]);
    const third = await c.controller.round();
    expect(third.all[0]).toMatchObject({ kind: 'launching', nodes: ['big'] });
    expect(third.all[1]).toMatchObject({ kind: 'validating', nodes: ['full'], after: 'big' });
    expect(c.launched).toHaveLength(1);
  });

  it('replaces a drifted node beside a replacement under way (drift must happen; Karpenter runs them side by side)', async () => {
    const c = besideReplacing(
      [node('gen5', { type: 'm5.xlarge' }), node('b')],
      [pod('w', 'gen5', { cpu: '3' }), pod('x', 'b', { cpu: '3' })],
    );
    const round = await c.controller.round();
    expect(round.all.find((x) => x.kind === 'launching')).toMatchObject({ method: 'drift', nodes: ['gen5'] });
    expect(c.launched).toHaveLength(1);
  });

  it('replaces a drifted node though the pods of a drain under way have nowhere to go yet (drift launches for its own)', async () => {
    const c = besideReplacing([node('gen5', { type: 'm5.xlarge' })], [pod('w', 'gen5', { cpu: '3' })]);
    const round = await c.controller.round();
    expect(round.all.find((x) => x.kind === 'launching')).toMatchObject({ method: 'drift', nodes: ['gen5'] });
  });

  it('a drift beside another whose pods take the free room launches for its own pods, never counting on that room twice', async () => {
    const c = cluster(
      [node('gen5a', { type: 'm5.xlarge' }), node('gen5b', { type: 'm5.xlarge' }), node('spare')],
      [
        pod('a', 'gen5a', { cpu: '3' }),
        pod('b', 'gen5b', { cpu: '3' }),
        pod('small', 'spare', { cpu: '500m' }),
      ],
      [],
      { replace: 'join', validationMs: 15_000 },
    );
    expect((await c.controller.round()).all).toMatchObject([{ kind: 'validating', method: 'drift' }]);
    expect((await c.controller.round()).all).toMatchObject([
      { kind: 'validating' },
      { kind: 'validating', method: 'drift' },
    ]);
    c.later(15_000);
    await c.controller.round();
    // One of the two moves onto the spare room; the other launches its replacement.
    expect(c.launched).toHaveLength(1);
  });

  it('a drift goes on beside a drain whose pod has no room whatever it does, and buys nothing for that pod', async () => {
    // gen5a's drift is under way; its 3.5-core pod fits nowhere until the provisioner buys for it.
    // gen5b's 500m pod fits in spare's room, which gen5a's pod could never use: it is not held back.
    const c = besideDrift(
      '3500m',
      { node: node('gen5b', { type: 'm5.xlarge' }), pod: pod('b', 'gen5b', { cpu: '500m' }) },
      '3',
    );
    const round = await c.controller.round();
    expect(round.all.find((x) => x.kind !== 'draining')).toMatchObject({ method: 'drift', nodes: ['gen5b'] });
    expect(c.launched).toEqual([]);
  });

  it('a drift whose pod fits only in the room a drain under way counts on launches that room (as Karpenter’s drift does)', async () => {
    // gen5a's 600m pod will move to spare's room (3.52 cores free); gen5b's 3-core pod fits only there
    // too, not beside it.
    const c = besideDrift(
      '600m',
      { node: node('gen5b', { type: 'm5.xlarge' }), pod: pod('b', 'gen5b', { cpu: '3' }) },
      '400m',
      { replace: 'join' },
    );
    const round = await c.controller.round();
    expect(round.all.find((x) => x.kind === 'launching')).toMatchObject({
      method: 'drift',
      nodes: ['gen5b'],
    });
    expect(c.launched).toHaveLength(1);
  });

  it('a consolidation is still refused where its pods would take the room a drain under way counts on', async () => {
    const c = besideDrift('500m', { node: node('b'), pod: pod('x', 'b', { cpu: '700m' }) }, '3');
    const round = await c.controller.round();
    expect(round.all.filter((x) => x.kind !== 'draining')).toMatchObject([{ kind: 'none' }]);
    expect(JSON.stringify(round)).toContain(INFLIGHT_NEEDS_CAPACITY);
  });

  it('validates after the delay from the decision, not by waiting inside a round', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')], [], { validationMs: 15_000 });
    expect(await c.controller.round()).toMatchObject({ kind: 'validating', nodes: ['empty'] });
    c.later(5_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'validating' });
    c.later(10_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', nodes: ['empty'] });
  });

  it('seeks the next decision only once the one before has been checked, as Karpenter validates in its loop', async () => {
    const c = cluster(
      [node('a'), node('empty'), node('light', { type: 'm6i.large' })],
      [pod('web', 'a'), pod('tiny', 'light', { cpu: '100m' })],
      [],
      { validationMs: 15_000 },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'validating', nodes: ['empty'] });
    c.later(10_000);
    expect(kinds(await c.controller.round())).toEqual(['validating']);
    c.later(5_000);
    // Checked (it drains at once: nothing to move), then the next decision in the same round.
    expect((await c.controller.round()).all).toEqual([
      { kind: 'decided', method: 'emptiness', nodes: ['empty'] },
      expect.objectContaining({ kind: 'validating', method: 'single-node' }),
    ]);
  });

  it('beside decisions under way, seeks again after a quiet round only every seekEveryMs', async () => {
    const c = cluster(
      [node('a'), draining('b')],
      [pod('web', 'a', { cpu: '3' }), pod('api', 'b', { app: 'api', cpu: '3' })],
    );
    c.state.blocked.add('api');
    expect(kinds(await c.controller.round())).toEqual(['draining', 'none']);
    expect(kinds(await c.controller.round())).toEqual(['draining']);
    c.later(10_000);
    expect(kinds(await c.controller.round())).toEqual(['draining', 'none']);
  });
});

describe('the room of pods on their way, beside a decision under way', () => {
  // x and z run a 1-core pod each (m6i.xlarge: 3,920m allocatable); y goes in a decision under way,
  // and the room of a pod coming back was kept on it. A second decision takes x.
  const moving = pod('p', 'x', { cpu: '1' });
  const world = (coming: string): World => ({
    nodes: [node('x'), node('y'), node('z')],
    podsByNode: new Map([
      ['x', [moving]],
      ['z', [pod('q', 'z', { cpu: '1' })]],
    ]),
    pools: [],
    daemonSets: [],
    catalog: builtinCatalog(),
    namePrefix: 'test-',
    inflight: { nodes: new Set(['y']), pods: [], replacements: [] },
    reserved: () => new Map([['y', [pod('coming', 'y', { cpu: coming })]]]),
  });

  it('places that room again too: x stays when z holds its pod but not the pod coming back', () => {
    const sim = simulate(world('2500m'), new Set(['x']), [moving]);
    expect(sim.ok ? 'deleted' : sim.why).toMatch(/would have nowhere to go/);
  });

  it('and x goes when z holds both', () => {
    const sim = simulate(world('1500m'), new Set(['x']), [moving]);
    expect(sim.ok && sim.launch.length === 0).toBe(true);
  });
});
