import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { podFieldErrors, podSpecErrors, type PodSpecFields } from './pod-spec-fields.js';

const APP = { name: 'app', image: 'x' };
const at = 'spec.template.spec';

describe('podSpecErrors: ValidatePodSpec in the API server’s words', () => {
  it.each<[string, PodSpecFields, string[]]>([
    ['a valid spec', { containers: [APP] }, []],
    ['no containers', { containers: [] }, [`${at}.containers: Required value`]],
    [
      'a name with capitals',
      { containers: [{ name: 'App', image: 'x' }] },
      [
        `${at}.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    [
      'a name with dots',
      { containers: [{ name: 'my.app', image: 'x' }] },
      [`${at}.containers[0].name: Invalid value: "my.app": must not contain dots`],
    ],
    ['a duplicate name', { containers: [APP, APP] }, [`${at}.containers[1].name: Duplicate value: "app"`]],
    [
      'an init container named as a container',
      { containers: [APP], initContainers: [APP] },
      [`${at}.initContainers[0].name: Duplicate value: "app"`],
    ],
    ['no image', { containers: [{ name: 'app' }] }, [`${at}.containers[0].image: Required value`]],
    [
      'ports',
      {
        containers: [
          {
            ...APP,
            ports: [
              { containerPort: 0 },
              { containerPort: 70000, protocol: 'tcp' },
              { containerPort: 80, name: 'web--x' },
            ],
          },
        ],
      },
      [
        `${at}.containers[0].ports[0].containerPort: Required value`,
        `${at}.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
        `${at}.containers[0].ports[1].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"`,
        `${at}.containers[0].ports[2].name: Invalid value: "web--x": must not contain consecutive hyphens`,
      ],
    ],
    [
      'env names: printable ASCII other than =',
      { containers: [{ ...APP, env: [{ name: '1st.var-name' }, { name: 'A=B' }, { name: '' }] }] },
      [
        `${at}.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        `${at}.containers[0].env[2].name: Required value`,
      ],
    ],
    [
      'restartPolicy',
      { containers: [APP], restartPolicy: 'Sometimes' },
      [
        `${at}.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
      ],
    ],
    [
      'tolerations',
      {
        containers: [APP],
        tolerations: [
          { key: 'dedicated', operator: 'Exists', value: 'gpu' },
          { operator: 'Equal', value: 'x' },
          { key: 'dedicated', value: 'x', effect: 'NoSchedule', tolerationSeconds: 30 },
        ],
      },
      [
        `${at}.tolerations[0].operator: Invalid value: "gpu": value must be empty when \`operator\` is 'Exists'`,
        `${at}.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`,
        `${at}.tolerations[2].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`,
      ],
    ],
    [
      'topology spread',
      {
        containers: [APP],
        topologySpreadConstraints: [
          { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 },
        ],
      },
      [
        `${at}.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero`,
        `${at}.topologySpreadConstraints[1].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      ],
    ],
  ])('%s', (_, spec, errors) => {
    expect(podSpecErrors(spec, at)).toEqual(errors);
  });
});

describe('podFieldErrors: the restartPolicy each controller allows', () => {
  const obj = (apiVersion: string, kind: string, restartPolicy?: string): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name: 'x' },
    spec: { template: { spec: { containers: [APP], ...(restartPolicy ? { restartPolicy } : {}) } } },
  });
  it.each<[string, string, string | undefined, string[]]>([
    [
      'apps/v1',
      'Deployment',
      'OnFailure',
      [`${at}.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`],
    ],
    ['apps/v1', 'Deployment', undefined, []],
    [
      'batch/v1',
      'Job',
      undefined,
      [`${at}.restartPolicy: Required value: valid values: "OnFailure", "Never"`],
    ],
    ['batch/v1', 'Job', 'Never', []],
    // A CRD with a pod-like template (a NodePool) is judged by its own schema, not here.
    ['karpenter.sh/v1', 'NodePool', undefined, []],
  ])('%s %s with %s', (apiVersion, kind, policy, errors) => {
    expect(podFieldErrors(obj(apiVersion, kind, policy))).toEqual(errors);
  });
});
