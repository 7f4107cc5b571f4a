/**
 * The second corpus of public manifests (test/manifests/corpus/SOURCES.md: repository and commit of
 * each): Berth must read each as kubectl does (never exit 2), deny nothing valid in enforce mode, and
 * give each class of input the finding it should get — the legacy label, the extended resource and
 * the native sidecar most of all.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth } from './support/cli.js';
import type { CheckReport } from '../src/cli/output.js';

const DIR = 'test/manifests/corpus';

async function check(file: string): Promise<{ code: number; report: CheckReport; err: string }> {
  const r = await berth('check', '-f', join(DIR, file), '-o', 'json');
  return { code: r.code, report: JSON.parse(r.out) as CheckReport, err: r.err };
}

/** What each file must get beside "allowed, read": warn-mode findings, by object name. */
const EXPECTED: Record<string, Record<string, string[]>> = {
  'azure-voting-app-redis__azure-vote-all-in-one-redis.yaml': {
    'azure-vote-back': ['single-replica', 'requests-missing', 'spot-unsuitable'],
    'azure-vote-front': ['single-replica', 'requests-missing', 'spot-unsuitable'],
  },
  'kubernetes-examples__AI_vllm-deployment_vllm-deployment.yaml': {
    'vllm-gemma-deployment': ['single-replica'],
  },
  'kubernetes-website__content_en_examples_application_deployment-sidecar.yaml': {
    myapp: ['single-replica', 'local-storage', 'requests-missing', 'requests-missing', 'spot-unsuitable'],
  },
};

const ruleOf = (w: string) => /^\[([\w-]+)\]/.exec(w)?.[1] ?? w;

describe('the public manifests of the second corpus', () => {
  const files = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f));

  it('holds the files SOURCES.md lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  it.each(files)('%s: read as kubectl reads it, and nothing valid denied', async (file) => {
    const r = await check(file);
    expect(r.code, r.err).toBe(0);
    expect(r.report.results.length).toBeGreaterThan(0);
    for (const res of r.report.results) {
      expect(res.allowed, `${res.kind} ${res.name}: ${JSON.stringify(res.violations)}`).toBe(true);
      expect(res.errors ?? []).toEqual([]);
    }
    for (const [name, rules] of Object.entries(EXPECTED[file] ?? {})) {
      const res = r.report.results.find((x) => x.name === name);
      expect(res?.warnings.map(ruleOf), name).toEqual(rules);
    }
  });

  it('names the native sidecar in its finding', async () => {
    const r = await check('kubernetes-website__content_en_examples_application_deployment-sidecar.yaml');
    expect(r.report.results[0]?.warnings.join('\n')).toContain(
      'sidecar container logshipper (initContainers, restartPolicy: Always) has no cpu or memory request',
    );
  });
});
