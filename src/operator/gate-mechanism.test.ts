import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { gateFlag, gateMechanism } from './gate-mechanism.js';

const logger = pino({ level: 'silent' });
const served =
  (yes: boolean, installed = yes) =>
  () =>
    Promise.resolve({ served: yes, installed });

describe('gateMechanism', () => {
  it.each([
    ['auto', true, 'policy'],
    ['auto', false, 'webhook'],
    [undefined, true, 'policy'],
    ['webhook', true, 'webhook'],
    ['policy', true, 'policy'],
  ] as const)('--scheduling-gate %s, MutatingAdmissionPolicy v1 served: %s → %s', async (flag, yes, want) => {
    expect(await gateMechanism(flag, served(yes), logger)).toBe(want);
  });

  it('refuses policy where the API server does not serve it, or the policy is not installed', async () => {
    await expect(gateMechanism('policy', served(false), logger)).rejects.toThrow(
      /does not serve admissionregistration\.k8s\.io\/v1 MutatingAdmissionPolicy \(Kubernetes 1\.36\+\); use auto or webhook/,
    );
    await expect(gateMechanism('policy', served(true, false), logger)).rejects.toThrow(
      'MutatingAdmissionPolicy berth-scheduling-gate is not installed (kubectl apply -k deploy/gate-policy, or the chart on Kubernetes 1.36+)',
    );
  });

  it('gates with the webhook where the policy is served but not installed', async () => {
    expect(await gateMechanism('auto', served(true, false), logger)).toBe('webhook');
  });

  it('refuses anything else', () => {
    expect(() => gateFlag('maybe')).toThrow('--scheduling-gate must be auto, policy or webhook, got maybe');
  });
});
