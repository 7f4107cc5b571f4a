/**
 * bench:aws-launch — what launching costs in AWS calls, against moto_server (started here on
 * loopback): the calls and time to resolve an EC2NodeClass with cold caches, then the calls per
 * launched node over a run of claims of a few shapes (goal: one CreateFleet per claim, the rest
 * cached look-ups). Times are moto's on this machine, not AWS's; the call counts are what AWS sees.
 */
import { parseArgs } from 'node:util';
import { builtinCatalog } from '../src/catalog/catalog.js';
import { awsStack, type AwsClients } from '../src/provisioner/cloud/aws-stack.js';
import { motoClients, motoNodeClass, motoWorld, startMoto } from '../test/cloud/moto.js';

const { values } = parseArgs({ options: { claims: { type: 'string', default: '60' } } });
const claims = Number(values.claims);

const calls = new Map<string, number>();
function count(clients: AwsClients): void {
  for (const [service, c] of Object.entries(clients) as [
    string,
    { middlewareStack: AwsClients['ec2']['middlewareStack'] },
  ][])
    c.middlewareStack.add(
      (next, context) => (args) => {
        const key = `${service}:${(context.commandName ?? '?').replace(/Command$/, '')}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'bench-count' },
    );
}
const snapshot = () => new Map(calls);
const since = (before: Map<string, number>) =>
  [...calls].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0);
const show = (xs: readonly (readonly [string, number])[]) => xs.map(([k, v]) => `${k}×${v}`).join(', ');

const moto = await startMoto();
const clients = motoClients(moto.endpoint);
try {
  const world = await motoWorld(clients, 'bench');
  count(clients);
  const cls = motoNodeClass(world, 'bench');
  const stack = () =>
    awsStack({
      clients,
      cluster: { name: 'bench' },
      region: 'us-east-1',
      nodeClass: () => cls,
      catalog: () => builtinCatalog(),
    });

  // Cold: a new process's first resolution (instance profile created), then a restart's (found again).
  for (const label of ['cold, first ever', 'cold, after a restart']) {
    const before = snapshot();
    const start = performance.now();
    await stack().classes.resolve(cls);
    console.log(
      `resolve EC2NodeClass (${label}): ${(performance.now() - start).toFixed(1)} ms — ${show(since(before))}`,
    );
  }

  const aws = stack();
  const shapes = [
    { instanceTypes: ['m5.large', 'm5.xlarge', 'c5.xlarge'], capacityType: 'on-demand' },
    { instanceTypes: ['m5.2xlarge', 'r5.xlarge'], capacityType: 'on-demand' },
    { instanceTypes: ['c5.large', 'c5a.large'], capacityType: 'spot' },
  ];
  const before = snapshot();
  const start = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < claims; i++) {
    const shape = shapes[i % shapes.length]!;
    const zone = ['us-east-1a', 'us-east-1b', 'us-east-1c'][i % 3]!;
    const launched = await aws.cloud.create({
      claim: `bench-${i}`,
      nodePool: i % 2 === 0 ? 'general' : 'batch',
      nodeClass: 'bench',
      zones: [zone],
      labels: { team: i % 2 === 0 ? 'web' : 'batch' },
      taints: [],
      ...shape,
    });
    ids.push(launched.id);
  }
  const ms = performance.now() - start;
  const used = since(before);
  const total = used.reduce((n, [, v]) => n + v, 0);
  const fleets = used.find(([k]) => k === 'ec2:CreateFleet')?.[1] ?? 0;
  console.log(
    `launch ${claims} claims (3 shapes × 2 pools × 3 zones, a fresh provider: the first launch resolves the class): ${(total / claims).toFixed(2)} AWS calls per node, ` +
      `${(fleets / claims).toFixed(2)} CreateFleet per claim — ${show(used)}; ${(ms / claims).toFixed(1)} ms per launch`,
  );
  for (const id of ids) await aws.cloud.delete(id);
} finally {
  for (const c of Object.values(clients) as { destroy(): void }[]) c.destroy();
  await moto.stop();
}
