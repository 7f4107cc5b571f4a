/** Reading what the chart and deploy/ render: helm (built once, cached), kustomize, the YAML documents. */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, unknown> & {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};

/** test/e2e/install-helm.sh: helm built from the Go module proxy into the cache (never skipped). */
export const helmBinary = (): string =>
  execFileSync('bash', ['test/e2e/install-helm.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();

/** The objects of a multi-document YAML text (empty documents left out). */
export const manifests = (text: string): Manifest[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((o): o is Manifest => o !== null && typeof o === 'object' && 'kind' in o);

/** `kubectl kustomize DIR`, as objects. */
export const kustomized = (dir: string): Manifest[] =>
  manifests(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
