import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { AdmittedQueue } from './admitted.js';
import { AdmissionFeed } from './demand.js';

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } } },
  },
});

function setup() {
  const feed = new AdmissionFeed(60_000);
  const deferred: (() => void)[] = [];
  let rounds = 0;
  const queue = new AdmittedQueue({
    feed,
    trigger: () => rounds++,
    now: () => 1000,
    defer: (run) => deferred.push(run),
  });
  const turn = () => {
    for (const run of deferred.splice(0)) run();
  };
  return { feed, queue, turn, rounds: () => rounds, deferred };
}

describe('AdmittedQueue', () => {
  it('records nothing and asks for nothing until the turn ends', () => {
    const { feed, queue, rounds } = setup();
    queue.add(deployment('web', 3));
    expect(feed.current(1000)).toEqual([]);
    expect(rounds()).toBe(0);
  });

  it('records the latest object per workload once per turn and asks for one round', () => {
    const { feed, queue, turn, rounds, deferred } = setup();
    queue.add(deployment('web', 3));
    queue.add(deployment('web', 5));
    queue.add(deployment('api', 2));
    expect(deferred).toHaveLength(1);
    turn();
    expect(rounds()).toBe(1);
    expect(
      feed
        .current(1000)
        .map((a) => [a.object.metadata?.name, (a.object.spec as { replicas?: number }).replicas]),
    ).toEqual([
      ['web', 5],
      ['api', 2],
    ]);
  });

  it('asks for no round when a turn brings nothing new, and for one when it does', () => {
    const { queue, turn, rounds } = setup();
    queue.add(deployment('web', 3));
    turn();
    queue.add(deployment('web', 3));
    queue.add(deployment('web', 3));
    turn();
    expect(rounds()).toBe(1);
    queue.add(deployment('web', 3));
    queue.add(deployment('api', 1));
    turn();
    expect(rounds()).toBe(2);
  });

  it('forgets a workload deleted before its turn ended', () => {
    const { feed, queue, turn, rounds } = setup();
    queue.add(deployment('web', 3));
    turn();
    queue.add(deployment('web', 4));
    queue.forget(deployment('web', 4));
    turn();
    expect(feed.current(1000)).toEqual([]);
    expect(rounds()).toBe(1);
  });

  it('flushes on its own with the default deferral', async () => {
    const feed = new AdmissionFeed(60_000);
    let rounds = 0;
    const queue = new AdmittedQueue({ feed, trigger: () => rounds++, now: () => Date.now() });
    queue.add(deployment('web', 3));
    await new Promise((r) => setImmediate(r));
    expect(rounds).toBe(1);
    expect(feed.current(Date.now())).toHaveLength(1);
  });
});
