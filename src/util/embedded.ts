/**
 * The package's own defaults (policies.yaml and deploy/nodepools/) as the build parsed and validated
 * them (dist/embedded-defaults.json, written by scripts/copy-assets.mjs). Reading them costs a JSON
 * parse instead of YAML parsing and schema compilation on every start; the snapshot is used only when
 * the files it was made from are unchanged (same SHA-256), so an edited file is always read afresh.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packagePath, packageRoot } from './package-root.js';

export interface EmbeddedDefaults {
  /** policies.yaml's document, valid against its schema. */
  readonly policies: unknown;
  /** The NodePool objects of deploy/nodepools/. */
  readonly nodePools: readonly unknown[];
  /** The EC2NodeClass objects of deploy/nodepools/ (what they do to their nodes' resources). */
  readonly nodeClasses: readonly unknown[];
}

interface Snapshot extends Omit<EmbeddedDefaults, 'nodeClasses'> {
  /** Absent in a snapshot written before classes were kept. */
  readonly nodeClasses?: readonly unknown[];
  readonly sources: Readonly<Record<string, string>>;
}

export const SNAPSHOT_FILE = 'embedded-defaults.json';

/** The files a snapshot is made from, with their digests (paths relative to the package root). */
export function sourceDigests(): Record<string, string> {
  const files = [
    packagePath('policies.yaml'),
    ...readdirSync(packagePath('deploy', 'nodepools'))
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => packagePath('deploy', 'nodepools', f)),
  ];
  const out: Record<string, string> = {};
  for (const f of files)
    out[relative(packageRoot(), f)] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

let cached: EmbeddedDefaults | null | undefined;

/** Built code only: sources run by tsx or vitest always parse the files as they are. */
const BUILT = import.meta.url.includes('/dist/');

/** The snapshot beside the built code, when there is one and its sources are unchanged. */
export function embeddedDefaults(): EmbeddedDefaults | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (!BUILT) return undefined;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(join(packageRoot(), 'dist', SNAPSHOT_FILE), 'utf8')) as Snapshot;
  } catch {
    return undefined;
  }
  const now = sourceDigests();
  const same =
    Object.keys(now).length === Object.keys(snapshot.sources).length &&
    Object.entries(now).every(([f, d]) => snapshot.sources[f] === d);
  if (same)
    cached = {
      policies: snapshot.policies,
      nodePools: snapshot.nodePools,
      nodeClasses: snapshot.nodeClasses ?? [],
    };
  return cached ?? undefined;
}
