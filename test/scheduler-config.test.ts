import { describe, expect, it } from 'vitest';
import { schedulerConfig } from './e2e/control-plane.js';

describe("the bench's kube-scheduler configuration (--scheduler-scoring)", () => {
  it('carries the client settings its flags would, and the NodeResourcesFit strategy asked for', () => {
    const c = JSON.parse(schedulerConfig('/k/kubeconfig', 'MostAllocated', 100)) as {
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
    const plain = JSON.parse(schedulerConfig('/k', 'LeastAllocated', undefined)) as typeof c;
    expect(plain.clientConnection).toEqual({ kubeconfig: '/k' });
  });
});
