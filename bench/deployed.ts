/**
 * How the berth container runs in deploy/berth/deployment.yaml, so that benches measure Berth as it
 * runs in a cluster (its heap limit changes when V8 collects, and so the RSS they report).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

interface EnvVar {
  name?: string;
  value?: string;
}

/** NODE_OPTIONS of the berth container in deploy/berth/deployment.yaml (split into arguments). */
export function deployedNodeOptions(): string[] {
  // From bench/ under tsx, or from dist/bench/ once built.
  const file = ['../deploy/berth/deployment.yaml', '../../deploy/berth/deployment.yaml']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((f) => existsSync(f));
  if (file === undefined) throw new Error('deploy/berth/deployment.yaml not found beside the bench');
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const d = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { name?: string; env?: EnvVar[] }[] } } };
    } | null;
    if (d?.kind !== 'Deployment') continue;
    const berth = d.spec?.template?.spec?.containers?.find((c) => c.name === 'berth');
    const value = berth?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    return value === undefined ? [] : value.split(/\s+/).filter((a) => a !== '');
  }
  throw new Error(`${file} holds no Deployment`);
}
