/**
 * `berth migrate` on fixture migrations, as a platform team runs it: test/migrate/cases/<case>/case.yaml
 * (the arguments, files relative to test/; the exit code; lines the report on stderr must hold) and
 * expected.yaml (stdout, the objects to apply, exactly). Inputs are Karpenter's own examples
 * (test/karpenter-examples) and a cluster on two managed node groups (test/migrate/nodegroups.yaml).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { berth, tmp } from './support/cli.js';
import { listGrants } from './support/rbac.js';
import { MIGRATE_READS } from '../src/migrate/cluster-source.js';

const TEST = new URL('./', import.meta.url).pathname;
const CASES = join(TEST, 'migrate', 'cases');
interface Case {
  args: string[];
  exit: number;
  report: string[];
}
const cases = readdirSync(CASES).sort();
const run = (c: Case) => berth('migrate', ...c.args.map((a) => (a.includes('/') ? join(TEST, a) : a)));

describe('berth migrate on fixture migrations', () => {
  it.each(cases)('%s', async (name) => {
    const c = parse(readFileSync(join(CASES, name, 'case.yaml'), 'utf8')) as Case;
    const r = await run(c);
    expect(r.code, r.err).toBe(c.exit);
    for (const line of c.report) expect(r.err).toContain(line);
    expect(r.out).toBe(readFileSync(join(CASES, name, 'expected.yaml'), 'utf8'));
  });

  it('prints one JSON document with -o json', async () => {
    const c = parse(readFileSync(join(CASES, 'getting-started', 'case.yaml'), 'utf8')) as Case;
    const r = await run({ ...c, args: [...c.args, '-o', 'json'] });
    const doc = JSON.parse(r.out) as {
      objects: { kind: string }[];
      findings: unknown[];
      moves: { object: string }[];
      steps: string[];
    };
    expect(doc.objects.map((o) => o.kind)).toEqual(['NodeClass', 'NodePool']);
    expect(doc.moves.map((m) => m.object)).toContain('Deployment/shop/api');
    expect(doc.steps).toHaveLength(8);
  });

  it.each([
    [['--to', 'fargate'], '--to takes auto-mode (got fargate)'],
    [
      ['--to', 'auto-mode', '--from', 'nodegroups'],
      'berth migrate takes one of --to auto-mode or --from nodegroups',
    ],
    [['--to', 'auto-mode', '--taint', 'eks-auto-mode:Never'], '--taint must be key[=value]:effect'],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await berth('migrate', ...args, '-f', join(TEST, 'karpenter-examples/v1/general-purpose.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('refuses a NodePool the API server would refuse, at its line, with exit 2 and nothing on stdout', async () => {
    const dir = tmp({
      'pool.yaml':
        'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: { name: bad }\nspec:\n  template:\n    spec:\n      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }\n      requirements:\n        - { key: karpenter.k8s.aws/instance-family, operator: Within, values: [m5] }\n',
    });
    const r = await berth('migrate', '--to', 'auto-mode', '-f', join(dir, 'pool.yaml'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/pool\.yaml:9:\d+: .*operator/);
  });

  it('refuses describe-nodegroup output it cannot read, with exit 2', async () => {
    const dir = tmp({ 'ng.json': '{"nodegroup": {"nodegroupName": "general-ng"}}' });
    const r = await berth(
      'migrate',
      '--from',
      'nodegroups',
      '-f',
      join(TEST, 'migrate/nodegroups.yaml'),
      '--nodegroups',
      join(dir, 'ng.json'),
    );
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('ng.json[0]: not the output of aws eks describe-nodegroup');
  });

  it('takes a taint of its own', async () => {
    const r = await berth(
      'migrate',
      '--to',
      'auto-mode',
      '--taint',
      'migration=auto:NoSchedule',
      '-f',
      join(TEST, 'karpenter-examples/v1/general-purpose.yaml'),
    );
    expect(r.out).toContain('- key: migration\n          value: auto\n          effect: NoSchedule');
  });
});

describe('deploy/rbac/berth-migrate.yaml', () => {
  it('grants list on exactly what berth migrate reads, and nothing else', () => {
    expect(listGrants(join(TEST, '../deploy/rbac/berth-migrate.yaml'))).toEqual(MIGRATE_READS);
  });
});
