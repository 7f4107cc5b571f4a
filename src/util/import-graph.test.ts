import { describe, expect, it } from 'vitest';
import { packagesReached, valueImports } from './import-graph.js';

describe('valueImports', () => {
  it.each([
    ["import { a } from './a.js';", ['./a.js']],
    ["import x, { y } from 'pkg';", ['pkg']],
    ["import * as ns from 'node:fs';", ['node:fs']],
    ["import 'side-effect';", ['side-effect']],
    ["import {\n  a,\n  b,\n} from './multi.js';", ['./multi.js']],
    ["export { a } from './re.js';", ['./re.js']],
    ["export * from './all.js';", ['./all.js']],
    // verbatimModuleSyntax keeps an import whose names are all inline types: it still loads.
    ["import { type A, type B } from 'heavy';", ['heavy']],
    ["import type { A } from 'types-only';", []],
    ["export type { A } from './types.js';", []],
    ["const m = await import('./lazy.js');", []],
    ["export const s = 'comes from here';", []],
  ])('%s', (text, expected) => {
    expect(valueImports(text)).toEqual(expected);
  });
});

/** Packages that must load only where they are used (tens of MiB of heap each). */
const heavy = (reached: Set<string>, prefix: string) => [...reached].filter((p) => p.startsWith(prefix));

describe('what each path loads', () => {
  it('the webhook app and serve --local load neither the AWS SDK nor the Kubernetes client', () => {
    for (const entry of ['src/webhook/app.ts', 'src/operator/local.ts', 'src/operator/operator.ts']) {
      const reached = packagesReached(entry);
      expect(heavy(reached, '@aws-sdk/'), entry).toEqual([]);
      expect(heavy(reached, '@kubernetes/client-node'), entry).toEqual([]);
    }
  });

  it('serve in a cluster loads the Kubernetes client, and the AWS SDK only with --cloud aws', () => {
    const cluster = packagesReached('src/operator/cluster.ts');
    expect(heavy(cluster, '@kubernetes/client-node')).toEqual(['@kubernetes/client-node']);
    expect(heavy(cluster, '@aws-sdk/')).toEqual([]);
    expect(heavy(packagesReached('src/operator/aws-cloud.ts'), '@aws-sdk/client-')).toEqual(
      expect.arrayContaining(['@aws-sdk/client-ec2', '@aws-sdk/client-sqs']),
    );
  });
});
