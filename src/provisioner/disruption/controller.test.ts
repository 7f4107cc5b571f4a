import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { cluster } from '../../../test/support/disruption-cluster.js';
import { DISRUPTION_ANNOTATION } from './marks.js';

describe('disruption in the cluster', () => {
  it('removes an empty node: decided, validated, drained, terminated, with Events on the Node', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['empty'],
    });
    expect(
      c.state.nodes.find((n) => n.metadata?.name === 'empty')?.metadata?.annotations?.[DISRUPTION_ANNOTATION],
    ).toBe('draining:emptiness');
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['empty'] });
    expect(c.state.terminated).toEqual(['empty']);
    expect(await c.metrics.registry.metrics()).toMatch(
      /berth_disruption_nodes_total\{method="emptiness"\} 1/,
    );
    expect(c.events.map((e) => `${e.node} ${e.reason}`)).toEqual(
      expect.arrayContaining(['empty Disrupting', 'empty Disrupted']),
    );
  });

  it("taints a consolidation's nodes only once it is checked; a pod that came meanwhile drops it", async () => {
    const taints = (c: ReturnType<typeof cluster>, name: string) =>
      (c.state.nodes.find((n) => n.metadata?.name === name)?.spec?.taints ?? []).map((t) => t.key);
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')], [], { validationMs: 15_000 });
    expect(await c.controller.round()).toMatchObject({ kind: 'validating', method: 'emptiness' });
    // Karpenter taints in StartCommand, after its validator: pods may still go there in the delay.
    expect(taints(c, 'empty')).toEqual([]);
    c.state.pods.push(pod('came', 'empty'));
    c.later(15_000);
    const checked = await c.controller.round();
    expect(checked.all[0]).toEqual({
      kind: 'aborted',
      nodes: ['empty'],
      why: 'empty: a pod came to it while the decision was validated',
    });
    expect(taints(c, 'empty')).toEqual([]);
    const d = cluster([node('a'), node('empty')], [pod('web', 'a')], [], { validationMs: 15_000 });
    await d.controller.round();
    d.later(15_000);
    expect(await d.controller.round()).toMatchObject({ kind: 'decided', nodes: ['empty'] });
    expect(taints(d, 'empty')).toEqual(['karpenter.sh/disrupted']);
  });

  it('keeps an empty node the provisioner planned waiting pods onto, saying so on the Node', async () => {
    const c = cluster([node('bought')], [], [], { nominated: ['bought'] });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.events.map((e) => `${e.node} ${e.reason} ${e.message}`)).toContainEqual(
      'bought DisruptionBlocked pods waiting to be scheduled are planned onto it (nominated)',
    );
    expect(await c.metrics.registry.metrics()).toMatch(/berth_disruption_nodes_kept\{reason="nominated"\} 1/);
  });

  it('leaves a node that just joined empty until consolidateAfter has passed since it was created', async () => {
    const fresh = node('fresh');
    fresh.metadata ??= {};
    fresh.metadata.creationTimestamp = new Date('2026-11-23T11:59:55Z');
    const c = cluster([fresh], [], [], {
      disruption: { consolidateAfter: '30s', budgets: [{ nodes: '100%' }] },
    });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.events.map((e) => `${e.node} ${e.reason} ${e.message}`)).toContainEqual(
      expect.stringMatching(/^fresh DisruptionBlocked it joined 5s ago and no pod has come or gone since/),
    );
    c.later(10_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    // Still the same reason 10 s on: no second Event.
    expect(c.events.filter((e) => e.node === 'fresh')).toHaveLength(1);
    c.later(15_000);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['fresh'],
    });
  });

  // Karpenter v1.15: a consolidation's simulation places no candidate's pod on a node under its pool's
  // consolidateAfter (scheduling.IsConsolidationSimulation, disruption.IsUnderConsolidateAfter).
  it.each([
    ['costs more than the node it would remove', 'm6i.large', 'm6i.2xlarge'],
    ['costs less', 'm6i.2xlarge', 'm6i.large'],
  ])('moves no pod onto a node that joined a moment ago, though it %s', async (_, aType, spareType) => {
    const spare = node('spare', { type: spareType });
    spare.metadata ??= {};
    spare.metadata.creationTimestamp = new Date('2026-11-23T11:59:55Z');
    const c = cluster([node('a', { type: aType }), spare], [pod('web', 'a', { cpu: '1' })], [], {
      disruption: { consolidateAfter: '30s', budgets: [{ nodes: '100%' }] },
    });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.events.map((e) => `${e.node} ${e.message}`)).toContainEqual(
      expect.stringMatching(/^a not consolidated: its pods would need new capacity/),
    );
    // Once it has waited as long, it is empty still, and emptiness removes it.
    c.later(30_000);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['spare'],
    });
  });

  it('does not end a drain the cache calls done while the API server shows a pod bound since', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', nodes: ['empty'] });
    // kube-scheduler bound a pod before it saw the taint; the cache has not caught up.
    c.state.late.push(pod('late', 'empty'));
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(c.state.terminated).toEqual([]);
    expect(c.state.evictions).toEqual(['late']);
    c.state.late = [];
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['empty'] });
  });

  it('drains an under-used node through evictions when its pods fit on the others', async () => {
    const c = cluster([node('a'), node('b')], [pod('web', 'a'), pod('api', 'b')]);
    const decided = await c.controller.round();
    expect(decided).toMatchObject({ kind: 'decided' });
    const gone = (decided as { nodes: string[] }).nodes;
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: gone });
    expect(c.state.nodes).toHaveLength(1);
  });

  it('turned off, decides nothing and undoes a decision not yet validated, but finishes a drain under way', async () => {
    let on = true;
    const c = cluster(
      [node('a'), node('b'), node('c')],
      [pod('web', 'a'), pod('api', 'b'), pod('db', 'c')],
      [],
      {
        enabled: () => on,
      },
    );
    const decided = await c.controller.round();
    expect(decided).toMatchObject({ kind: 'decided' });
    const draining = (decided as { nodes: string[] }).nodes;
    on = false;
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', nodes: draining });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: draining });
    expect(await c.controller.round()).toMatchObject({ kind: 'idle' });
    // A decision marked but not validated (e.g. by a previous leader) is unmarked once off.
    const left = c.state.nodes[0];
    if (!left?.metadata) throw new Error('no node left');
    left.metadata.annotations = { [DISRUPTION_ANNOTATION]: 'validating:single-node' };
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: 'disruption was turned off' });
    expect(left.metadata.annotations[DISRUPTION_ANNOTATION]).toBeUndefined();
  });

  it('keeps every node under a budget of 0 inside its schedule, with an Event that names the budget', async () => {
    const c = cluster([node('a'), node('b'), node('empty')], [pod('web', 'a'), pod('api', 'b')], [], {
      disruption: {
        consolidateAfter: '0s',
        budgets: [{ nodes: '0', schedule: '0 9 * * *', duration: '8h' }, { nodes: '100%' }],
      },
    });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.state.nodes).toHaveLength(3);
    const blocked = c.events.filter((e) => e.reason === 'DisruptionBlocked');
    expect(blocked.map((e) => e.node).sort()).toEqual(['a', 'b', 'empty']);
    for (const e of blocked)
      expect(e.message).toBe(
        'not consolidated: NodePool berth-general\'s budget nodes: 0 (schedule "0 9 * * *" for 8h, open now) allows 0 of 3 nodes, 0 already disrupting or not Ready',
      );
    expect(await c.metrics.registry.metrics()).toMatch(/berth_disruption_nodes_kept\{reason="budget"\} 3/);
    // Outside the window (12:00 + 6 h = 18:00, past 09:00 + 8 h) the empty node goes.
    c.later(6 * 3_600_000);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['empty'],
    });
  });

  it('keeps a node a PDB protects, once, with an Event that names the PDB', async () => {
    const c = cluster(
      [node('a'), node('b')],
      [pod('web', 'a', { app: 'web' }), pod('big', 'b', { cpu: '3500m' })],
      [pdb('web', 'web', { minAvailable: 1 }, 0)],
    );
    const first = await c.controller.round();
    expect(first, JSON.stringify(first)).toMatchObject({ kind: 'none' });
    await c.controller.round();
    const blocked = c.events.filter((e) => e.node === 'a' && e.reason === 'DisruptionBlocked');
    expect(blocked).toHaveLength(1);
    // b's pod fits nowhere else: replacing it is not carried out in a cluster yet, and it says so.
    expect(c.events.find((e) => e.node === 'b')?.message).toMatch(/would need new capacity/);
    // b's pod fits nowhere else: replacing it is not carried out in a cluster yet, and it says so.
    expect(c.events.find((e) => e.node === 'b')?.message).toMatch(/would need new capacity/);
    expect(blocked[0]?.message).toBe(
      'PodDisruptionBudget shop/web allows 0 disruptions (minAvailable 1, 3 healthy)',
    );
  });

  it('unmarks the nodes when the decision no longer holds after the delay', async () => {
    const c = cluster(
      [node('a'), node('b')],
      [pod('web', 'a', { app: 'web' }), pod('api', 'b', { app: 'web' })],
      [],
      { validationMs: 15_000 },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'validating' });
    // The PDB appears during the validation delay.
    c.state.pdbs = [pdb('web', 'web', { minAvailable: 2 }, 0)];
    c.later(14_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'validating' });
    c.later(1_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted' });
    expect(c.state.nodes.every((n) => n.metadata?.annotations?.[DISRUPTION_ANNOTATION] === undefined)).toBe(
      true,
    );
    expect(c.state.nodes.every((n) => (n.spec?.taints ?? []).length === 0)).toBe(true);
    expect(c.events.some((e) => e.reason === 'DisruptionAborted')).toBe(true);
  });

  it('finishes what a previous leader started: a draining node is drained, a validating one validated', async () => {
    const marked = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const c = cluster([node('a'), marked], [pod('web', 'a'), pod('api', 'b')]);
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['b'] });
    const validating = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'validating:emptiness' } });
    const d = cluster([node('a'), validating], [pod('web', 'a')]);
    expect(await d.controller.round()).toMatchObject({ kind: 'decided', nodes: ['b'] });
  });

  it('leaves a decision under validation alone when the Lease is lost', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    c.lose();
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: /Lease was lost/ });
    expect(c.state.terminated).toEqual([]);
  });

  it('retries an eviction a PDB refuses (429) on the next round, counting the drain blocked by that PDB', async () => {
    const marked = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const c = cluster([node('a'), marked], [pod('web', 'a'), pod('api', 'b', { app: 'api' })]);
    c.state.pdbs = [pdb('api-pdb', 'api', { minAvailable: 1 }, 0)];
    c.state.blocked.add('api');
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', blocked: 1, evicted: 0 });
    expect(await c.metrics.registry.metrics()).toMatch(
      /^berth_drain_blocked_by_pdb_total\{pdb_namespace="shop",pdb_name="api-pdb"\} 1$/m,
    );
    c.state.pdbs = [];
    c.state.blocked.clear();
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated' });
  });

  it('launches a cheaper replacement first, drains only once it is Ready, then terminates the old node', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join' },
    );
    const first = (await c.controller.round()) as { kind: string; method: string; nodes: string[] };
    expect(first.kind).toBe('launching');
    expect(first.nodes).toContain('big');
    expect(c.launched.length).toBeGreaterThan(0);
    const marked = c.state.nodes.find((n) => n.metadata?.name === 'big');
    expect(marked?.metadata?.annotations?.[DISRUPTION_ANNOTATION]).toBe(`validating:${first.method}`);
    expect(marked?.metadata?.annotations?.['berth.dev/replacements']).toBe(c.launched.join(','));
    // The replacements joined: the delay, the check, then the drain.
    const sorted = (x: unknown) => [...(x as { nodes: string[] }).nodes].sort();
    const decided = await c.controller.round();
    expect(decided.kind).toBe('decided');
    expect(sorted(decided)).toEqual([...first.nodes].sort());
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
    const done = await c.controller.round();
    expect(done.kind).toBe('terminated');
    expect(sorted(done)).toEqual([...first.nodes].sort());
    expect(c.state.nodes.map((n) => n.metadata?.name).sort()).toEqual(
      [...c.launched, ...['full', 'big'].filter((n) => !first.nodes.includes(n))].sort(),
    );
    expect(
      c.state.pods.every((p) => c.launched.includes(p.spec?.nodeName ?? '') || p.spec?.nodeName === 'full'),
    ).toBe(true);
  });

  it('drains a drifted node whose replacement costs more, counting what it adds apart from savings', async () => {
    // A spot t3.micro is out of the pool (category t, generation 3); nothing the pool allows is as cheap.
    const c = cluster(
      [node('old', { type: 't3.micro', capacity: 'spot' })],
      [pod('w', 'old', { cpu: '500m', memory: '512Mi' })],
      [],
      { replace: 'join', validationMs: 0 },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'launching', method: 'drift', nodes: ['old'] });
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', method: 'drift', nodes: ['old'] });
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['old'] });
    const text = await c.metrics.registry.metrics();
    expect(text).toMatch(/berth_disruption_added_dollars_per_hour_total 0\.0\d*[1-9]/);
    expect(text).toMatch(/berth_disruption_saved_dollars_per_hour_total 0\n/);
    expect(c.events.find((e) => e.reason === 'Disrupting')?.message).toMatch(
      /^drift: draining; costs \$0\.\d{4}\/h more$/,
    );
  });

  it('taints a drifted node at the decision: drift must happen, and Karpenter does not validate it', async () => {
    const c = cluster(
      [node('old', { type: 't3.micro', capacity: 'spot' })],
      [pod('w', 'old', { cpu: '500m', memory: '512Mi' })],
      [],
      { replace: 'join', validationMs: 15_000 },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'validating', method: 'drift' });
    expect(c.state.nodes[0]?.spec?.taints?.map((t) => t.key)).toEqual(['karpenter.sh/disrupted']);
  });

  it('knows a replacement that joined without its claim label by its instance providerID', async () => {
    const c = cluster(
      [node('full'), node('big', { type: 'm6i.4xlarge' })],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join-unlabelled' },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'launching' });
    expect(c.state.nodes.some((n) => n.metadata?.name?.startsWith('ip-') === true)).toBe(true);
    expect(await c.controller.round()).toMatchObject({ kind: 'decided' });
  });

  it('abandons a decision whose replacement never becomes Ready: unmarks the node and terminates the claim', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'never' },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'launching' });
    expect(await c.controller.round()).toMatchObject({ kind: 'launching', claims: c.launched });
    c.later(600_001);
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: /did not join and become Ready in time/,
    });
    expect(c.cancelled).toEqual(c.launched);
    expect(
      c.state.nodes.find((n) => n.metadata?.name === 'big')?.metadata?.annotations?.[DISRUPTION_ANNOTATION],
    ).toBeUndefined();
    expect(c.state.terminated).toEqual([]);
  });

  it('ends a drain a do-not-disrupt pod holds once the NodePool terminationGracePeriod runs out', async () => {
    const held = pod('held', 'b', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const marked = node('b', {
      annotations: {
        [DISRUPTION_ANNOTATION]: 'draining:expiration',
        'berth.dev/disruption-since': '2026-11-23T11:00:00Z',
      },
    });
    const c = cluster([node('a'), marked], [pod('web', 'a'), held], [], { grace: '2h' });
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 0 });
    expect(c.state.deleted).toEqual([]);
    c.later(3_600_000); // 13:00: two hours since the decision
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
    expect(c.state.deleted).toEqual(['held']);
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['b'] });
  });

  it('never disrupts a node Berth did not launch, though its pods may move onto it', async () => {
    // Empty and cheaper to lose than `a`, but not Berth's: `a` goes, onto it.
    const c = cluster([node('a'), node('theirs', { type: 'm6i.2xlarge' })], [pod('web', 'a')], [], {
      foreign: ['theirs'],
    });
    const outcome = (await c.controller.round()) as { kind: string; nodes?: string[] };
    expect(outcome.kind).toBe('decided');
    expect(outcome.nodes).toEqual(['a']);
    await c.controller.round();
    await c.controller.round();
    expect(c.state.terminated).toEqual(['a']);
  });

  it('terminates what it launched when a replacement fails to launch, and unmarks the node', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'fail' },
    );
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: /a replacement did not launch/,
    });
    expect(c.cancelled).toEqual(expect.arrayContaining(c.launched));
    expect(c.state.nodes.every((n) => n.metadata?.annotations?.[DISRUPTION_ANNOTATION] === undefined)).toBe(
      true,
    );
  });
});
