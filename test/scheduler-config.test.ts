import { describe, expect, it } from 'vitest';
import { schedulerConfig } from './e2e/control-plane.js';

describe("the bench's kube-scheduler configuration (--scheduler-scoring, --nodes-to-score)", () => {
  it('carries the client settings its flags would, and the NodeResourcesFit strategy asked for', () => {
    const c = JSON.parse(schedulerConfig('/k/kubeconfig', { scoring: 'MostAllocated', qps: 100 })) as {
      kind: string;
      clientConnection: Record<string, unknown>;
      leaderElection: { leaderElect: boolean };
      profiles: { pluginConfig: { name: string; args: { scoringStrategy: { type: string } } }[] }[];
    };
    expect(c.kind).toBe('KubeSchedulerConfiguration');
    expect(c.clientConnection).toEqual({ kubeconfig: '/k/kubeconfig', qps: 100, burst: 200 });
    expect(c.leaderElection.leaderElect).toBe(false);
    const fit = c.profiles[0]?.pluginConfig.find((p) => p.name === 'NodeResourcesFit');
    expect(fit?.args.scoringStrategy.type).toBe('MostAllocated');
    const plain = JSON.parse(schedulerConfig('/k', { scoring: 'LeastAllocated' })) as typeof c;
    expect(plain.clientConnection).toEqual({ kubeconfig: '/k' });
    expect(plain).not.toHaveProperty('percentageOfNodesToScore');
  });

  it('sets percentageOfNodesToScore alone, leaving the plugins at their defaults', () => {
    const c = JSON.parse(schedulerConfig('/k', { qps: 100, nodesToScore: 100 })) as {
      percentageOfNodesToScore: number;
      profiles: Record<string, unknown>[];
    };
    expect(c.percentageOfNodesToScore).toBe(100);
    expect(c.profiles).toEqual([{ schedulerName: 'default-scheduler' }]);
  });
});
