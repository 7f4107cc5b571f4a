import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { QUANTITY_FORMAT, resourceRefusal } from './resource-quantities.js';

const deployment = (resources: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'app', image: 'i', resources }] } } },
});

// k8s.io/apimachinery/pkg/api/resource ParseQuantity (ErrFormatWrong) and
// k8s.io/kubernetes/pkg/apis/core/validation ValidateResourceRequirements / ValidateNonnegativeQuantity.
describe('resourceRefusal: container resources as the API server judges them', () => {
  it.each([
    ['cpu: 1.5.0', { requests: { cpu: '1.5.0' } }, QUANTITY_FORMAT],
    ['cpu: banana', { requests: { cpu: 'banana' } }, QUANTITY_FORMAT],
    ['memory: 512MB', { requests: { memory: '512MB' } }, QUANTITY_FORMAT],
    ['memory: "1,5"', { requests: { memory: '1,5' } }, QUANTITY_FORMAT],
    ['memory: ""', { limits: { memory: '' } }, QUANTITY_FORMAT],
    [
      'memory: -1',
      { requests: { memory: -1 } },
      'requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    ],
    [
      'cpu: -100m',
      { limits: { cpu: '-100m' } },
      'limits[cpu]: Invalid value: "-100m": must be greater than or equal to 0',
    ],
    [
      'a negative value, printed as the API server prints it',
      { requests: { memory: '-0.5Gi' } },
      'requests[memory]: Invalid value: "-512Mi": must be greater than or equal to 0',
    ],
    [
      'a request above its limit',
      { requests: { cpu: '2' }, limits: { cpu: '1' } },
      'resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
  ])('refuses %s', (_what, resources, words) => {
    const f = resourceRefusal(deployment(resources));
    expect(f?.what).toContain(words);
    expect(f?.what).toContain('spec.template.spec.containers[0].resources.');
  });

  it.each([
    ['whole and fractional CPU', { requests: { cpu: '1.5' }, limits: { cpu: 2 } }],
    [
      'millicores and binary memory',
      { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    ],
    ['decimal memory and an exponent', { requests: { memory: '1e9', cpu: '0.25' } }],
    ['a request equal to its limit, written otherwise', { requests: { cpu: '1000m' }, limits: { cpu: '1' } }],
    ['a limit alone', { limits: { memory: '256Mi' } }],
    ['spaces around a quantity (the API server trims them)', { requests: { cpu: ' 1 ' } }],
    ['nothing', {}],
  ])('accepts %s', (_what, resources) => {
    expect(resourceRefusal(deployment(resources))).toBeUndefined();
  });

  it('names a CronJob’s and a Pod’s containers by their own paths', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: {
        jobTemplate: {
          spec: {
            template: { spec: { containers: [{ name: 'a', resources: { requests: { cpu: 'x' } } }] } },
          },
        },
      },
    } as KubeObject;
    expect(resourceRefusal(cron)?.what).toContain(
      'spec.jobTemplate.spec.template.spec.containers[0].resources.requests[cpu]',
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        initContainers: [{ name: 'i', resources: { limits: { memory: '-1Mi' } } }],
        containers: [{ name: 'a' }],
      },
    } as KubeObject;
    expect(resourceRefusal(pod)?.what).toContain('spec.initContainers[0].resources.limits[memory]');
  });
});
