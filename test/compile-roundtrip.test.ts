/**
 * `berth compile` never changes a value as kubectl reads it. The public manifests of test/manifests/
 * and the examples go through the CLI; its YAML output is read back as kubectl reads YAML (1.1): every
 * object that was not compiled comes out with exactly the values it went in with, and every compiled
 * one with exactly the values of the object as admitted.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadObjects } from '../src/inputs/objects.js';
import { runCli } from '../src/cli/program.js';
import { runFiles } from '../src/inputs/session.js';
import type { KubeObject } from '../src/kube/objects.js';
import { KUBECTL_YAML } from '../src/util/yaml-source.js';

const PATHS = ['test/manifests', 'examples'];
const now = () => new Date('2026-11-22T00:00:00Z');

async function compile(): Promise<string> {
  let out = '';
  await runCli(['compile', '-f', ...PATHS], {
    out: (t) => (out += t),
    err: () => undefined,
    exit: () => undefined,
    clock: now,
  });
  return out;
}

const keyOf = (o: KubeObject) => `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

describe('compile round-trip under a YAML 1.1 reader', () => {
  it('gives every object back with the values kubectl read from it', async () => {
    const text = await compile();
    const out = parseAllDocuments(text, KUBECTL_YAML).map((d) => d.toJS() as KubeObject);
    const loaded = loadObjects(PATHS);
    if (!loaded.ok) throw new Error('the manifests load');
    const { result } = runFiles({}, PATHS, now);
    const admitted = new Map(result.admitted.map((o) => [keyOf(o), o]));
    const inputs = new Map(loaded.objects.map((o) => [keyOf(o.object), o.object]));
    let untouched = 0;
    for (const o of out) {
      const key = keyOf(o);
      const input = inputs.get(key);
      const expected =
        admitted.get(key) ??
        result.pdbs.find(
          (p) => `PodDisruptionBudget/${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}` === key,
        );
      expect(o, key).toEqual(JSON.parse(JSON.stringify(expected)));
      if (input && JSON.stringify(input) === JSON.stringify(admitted.get(key))) {
        expect(o, `${key} was not compiled: it comes out as it went in`).toEqual(input);
        untouched++;
      }
    }
    expect(untouched).toBeGreaterThan(8);
  });

  it('keeps octal modes, quoted yes/on strings and unquoted booleans as kubectl reads them', async () => {
    const text = await compile();
    const grafana = parseAllDocuments(
      readFileSync('test/manifests/grafana.yaml', 'utf8'),
      KUBECTL_YAML,
    )[1]?.toJS() as {
      spec: {
        template: {
          spec: {
            volumes: { configMap?: { defaultMode: number } }[];
            securityContext: { runAsNonRoot: unknown };
          };
        };
      };
    };
    expect(grafana.spec.template.spec.volumes[0]?.configMap?.defaultMode).toBe(0o755);
    expect(grafana.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(text).toContain('defaultMode: 493');
    expect(text).toContain('mode: 365');
    expect(text).toContain('value: "yes"');
    expect(text).toContain('value: "on"');
    expect(text).toContain('version: "0755"');
    expect(text).not.toMatch(/strategy: \{\}/);
  });
});
