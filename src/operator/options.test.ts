import { describe, expect, it } from 'vitest';
import { placeholderSettings, solverHeapMiB, solverNice } from './cloud-flags.js';
import { tlsDirOf } from './options.js';

describe('what serve is started with', () => {
  it('keeps local certificates in the working tree, and the mounted Secret in a cluster', () => {
    expect(tlsDirOf({ local: true })).toBe('tls');
    expect(tlsDirOf({})).toBe('/etc/berth/tls');
    expect(tlsDirOf({ local: true, tlsDir: '/tmp/x' })).toBe('/tmp/x');
  });

  it('refuses the shipped placeholders when Berth would launch on AWS, naming each and where it is set', () => {
    const unset = placeholderSettings(
      { clusterName: 'CHANGE-ME' },
      { AWS_REGION: 'CHANGE-ME' },
      'berth',
      'aws',
    );
    expect(unset).toHaveLength(2);
    expect(unset[0]).toMatch(
      /CLUSTER_NAME in deploy\/berth\/settings\.env, or --cluster-name; now "CHANGE-ME"/,
    );
    expect(unset[1]).toMatch(/AWS_REGION in deploy\/berth\/settings\.env, or --aws-region/);
    expect(placeholderSettings({ clusterName: 'my-cluster' }, {}, 'berth', 'aws')).toHaveLength(1);
    expect(
      placeholderSettings({ clusterName: 'prod-eu' }, { AWS_REGION: 'eu-west-1' }, 'berth', 'aws'),
    ).toEqual([]);
    // Beside Karpenter, or on the simulated cloud, nothing is launched on AWS: nothing to set.
    expect(placeholderSettings({ clusterName: 'CHANGE-ME' }, {}, 'karpenter', 'aws')).toEqual([]);
    expect(placeholderSettings({ clusterName: 'CHANGE-ME' }, {}, 'berth', 'simulated')).toEqual([]);
  });

  it("takes the solver thread's heap and nice value, and refuses what it cannot use", () => {
    expect([solverHeapMiB(undefined), solverNice(undefined)]).toEqual([512, 10]);
    expect([solverHeapMiB('1024'), solverNice('0'), solverNice('19')]).toEqual([1024, 0, 19]);
    expect(() => solverHeapMiB('32')).toThrow(/--solver-heap-mb must be a whole number of MiB, at least 64/);
    for (const bad of ['-5', '20', '2.5', 'low'])
      expect(() => solverNice(bad)).toThrow(`--solver-nice must be a whole number from 0 to 19, got ${bad}`);
  });
});
