/** deploy/ as shipped: what the webhook configurations promise, and the copies kept in step. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  webhooks?: {
    name: string;
    timeoutSeconds: number;
    sideEffects: string;
    failurePolicy: string;
    namespaceSelector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
    rules: { resources: string[] }[];
  }[];
  spec?: Record<string, unknown>;
}

const built = execFileSync('kubectl', ['kustomize', 'deploy/'], { encoding: 'utf8' });
const docs = parseAllDocuments(built).map((d) => d.toJS() as Doc);
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

describe('deploy/', () => {
  it('ships the repository policies.yaml in its ConfigMap', () => {
    expect(readFileSync('deploy/berth/policies.yaml', 'utf8')).toBe(readFileSync('policies.yaml', 'utf8'));
    const cm = byKind('ConfigMap').find((d) => d.metadata.name === 'berth-policies');
    expect(cm).toBeDefined();
  });

  it('has both webhook configurations, safe to fail', () => {
    const hooks = [
      ...byKind('MutatingWebhookConfiguration'),
      ...byKind('ValidatingWebhookConfiguration'),
    ].flatMap((d) => d.webhooks ?? []);
    expect(hooks.map((h) => h.name).sort()).toEqual(['mutate.berth.dev', 'validate.berth.dev']);
    for (const h of hooks) {
      expect(h.timeoutSeconds).toBeLessThanOrEqual(5);
      expect(h.sideEffects).toBe('None');
      expect(['Fail', 'Ignore']).toContain(h.failurePolicy);
      const excluded = h.namespaceSelector.matchExpressions.find(
        (e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn',
      );
      expect(excluded?.values).toEqual(expect.arrayContaining(['kube-system', 'berth-system']));
    }
    const validate = hooks.find((h) => h.name === 'validate.berth.dev');
    expect(validate?.rules.flatMap((r) => r.resources)).toEqual(
      expect.arrayContaining([
        'deployments/scale',
        'poddisruptionbudgets',
        'horizontalpodautoscalers',
        'workloadprofiles',
      ]),
    );
  });

  it("answers within the webhooks' timeout", () => {
    const deploy = byKind('Deployment').find((d) => d.metadata.name === 'berth');
    const args = JSON.stringify(deploy?.spec);
    const deadline = Number(/--deadline-ms=(\d+)/.exec(args)?.[1]);
    expect(deadline).toBeGreaterThan(0);
    expect(deadline).toBeLessThan(5000);
  });

  it('keeps the IAM policy a valid JSON policy document', () => {
    const policy = JSON.parse(readFileSync('deploy/iam/provisioner-policy.json', 'utf8')) as {
      Version: string;
      Statement: unknown[];
    };
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
  });
});
