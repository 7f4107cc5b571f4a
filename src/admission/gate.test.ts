import { describe, expect, it } from 'vitest';
import { gate, SCHEDULING_GATE } from './gate.js';
import type { AdmissionRequest } from './review.js';

const podReq = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): AdmissionRequest => ({
  uid: 'u1',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  operation: 'CREATE',
  namespace: 'shop',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', ...metadata }, spec },
});

const patchOf = (req: AdmissionRequest, on = true): unknown => {
  const p = gate(req, on).response.patch;
  return p === undefined ? undefined : JSON.parse(Buffer.from(p, 'base64').toString('utf8'));
};

const containers = [{ name: 'app', image: 'nginx' }];

describe('gate', () => {
  it('adds the gate to a new pod kube-scheduler would place', () => {
    expect(patchOf(podReq({ containers }))).toEqual([
      { op: 'add', path: '/spec/schedulingGates', value: [{ name: SCHEDULING_GATE }] },
    ]);
  });

  it("appends to the pod's own gates", () => {
    expect(patchOf(podReq({ containers, schedulingGates: [{ name: 'example.com/quota' }] }))).toEqual([
      { op: 'add', path: '/spec/schedulingGates/-', value: { name: SCHEDULING_GATE } },
    ]);
  });

  it.each([
    ['gates off or no provisioner leading', podReq({ containers }), false, 'no Berth provisioner leads'],
    ['a pod that names its node', podReq({ containers, nodeName: 'n1' }), true, 'names its node'],
    ['another scheduler', podReq({ containers, schedulerName: 'volcano' }), true, 'scheduled by volcano'],
    [
      "a DaemonSet's pod",
      podReq({ containers }, { ownerReferences: [{ kind: 'DaemonSet', name: 'ds', controller: true }] }),
      true,
      "DaemonSet's pods",
    ],
    [
      'a pod gated already (the webhook called again)',
      podReq({ containers, schedulingGates: [{ name: SCHEDULING_GATE }] }),
      true,
      'gated already',
    ],
    ['an update', { ...podReq({ containers }), operation: 'UPDATE' as const }, true, 'only new pods'],
    [
      'another kind',
      { ...podReq({ containers }), kind: { group: 'apps', version: 'v1', kind: 'Deployment' } },
      true,
      'only new pods',
    ],
    ['a request without its object', { ...podReq({ containers }), object: null }, true, 'no pod'],
  ] as const)('leaves alone %s', (_name, req, on, why) => {
    const d = gate(req, on);
    expect(d.response).toEqual({ uid: 'u1', allowed: true });
    expect(d.skipped).toContain(why);
  });

  it('keeps a default-scheduler pod gated like one that names no scheduler', () => {
    expect(patchOf(podReq({ containers, schedulerName: 'default-scheduler' }))).toHaveLength(1);
  });
});
