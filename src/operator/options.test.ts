import { describe, expect, it } from 'vitest';
import { placeholderSettings } from './cloud-flags.js';
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
});
