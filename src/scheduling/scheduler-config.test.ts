import { describe, expect, it } from 'vitest';
import { readSchedulerConfig } from './scheduler-config.js';

const ZONE = 'topology.kubernetes.io/zone';

// Karpenter v1.15.0 pkg/operator/options ParseSchedulerConfiguration / Validate (mirroring
// kube-scheduler's ValidatePodTopologySpreadArgs), messages word for word.
describe('readSchedulerConfig', () => {
  it("reads Karpenter's --scheduler-config document", () => {
    const r = readSchedulerConfig(`podTopologySpread:
  defaultConstraints:
    - { maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule }
    - { maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway }
`);
    expect(r).toEqual({
      ok: true,
      constraints: [
        { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' },
        { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    });
  });

  it('an empty document is no defaults', () => {
    expect(readSchedulerConfig('')).toEqual({ ok: true, constraints: [] });
  });

  it.each([
    [
      'maxSkew: 0',
      `{ maxSkew: 0, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule }`,
      '[0].maxSkew must be greater than 0',
    ],
    ['no topologyKey', '{ maxSkew: 1, whenUnsatisfiable: DoNotSchedule }', '[0].topologyKey must be set'],
    [
      'a bad topologyKey',
      '{ maxSkew: 1, topologyKey: "a/b/c", whenUnsatisfiable: DoNotSchedule }',
      `[0].topologyKey "a/b/c" is not a valid label name, a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      'whenUnsatisfiable',
      `{ maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: Maybe }`,
      '[0].whenUnsatisfiable "Maybe" must be one of "DoNotSchedule" or "ScheduleAnyway"',
    ],
    [
      'a labelSelector',
      `{ maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule, labelSelector: {} }`,
      '[0].labelSelector must not be set, as selectors are deduced for each pod',
    ],
    [
      'matchLabelKeys',
      `{ maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule, matchLabelKeys: [app] }`,
      '[0].matchLabelKeys must not be set, as it has no effect on default constraints',
    ],
  ])('refuses %s', (_, c, message) => {
    expect(readSchedulerConfig(`podTopologySpread:\n  defaultConstraints:\n    - ${c}\n`)).toEqual({
      ok: false,
      error: `validating scheduler config, podTopologySpread.defaultConstraints${message}`,
    });
  });

  it('refuses a duplicate key and whenUnsatisfiable, and unknown fields', () => {
    const c = `{ maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule }`;
    expect(
      readSchedulerConfig(`podTopologySpread:\n  defaultConstraints:\n    - ${c}\n    - ${c}\n`),
    ).toEqual({
      ok: false,
      error: `validating scheduler config, podTopologySpread.defaultConstraints[1] is a duplicate of [0], {${ZONE}, DoNotSchedule}`,
    });
    expect(readSchedulerConfig('nodeAffinity: {}\n')).toMatchObject({ ok: false });
  });

  it("reads a KubeSchedulerConfiguration's PodTopologySpread args: List applies, System only scores", () => {
    const doc = (type: string) => `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    pluginConfig:
      - name: PodTopologySpread
        args:
          defaultingType: ${type}
          defaultConstraints:
            - { maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule }
`;
    expect(readSchedulerConfig(doc('List'))).toEqual({
      ok: true,
      constraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }],
    });
    expect(readSchedulerConfig(doc('System'))).toMatchObject({ ok: true, constraints: [] });
  });
});
