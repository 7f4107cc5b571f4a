/**
 * `berth init`: a policies.yaml for the cluster Berth joins — its runtime classes mapped to the
 * NodePools that exist (from the cluster, or from files), in the mode that fits (karpenter when a
 * Karpenter controller runs). Prints the file (or writes it with --write) and says what it chose.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { checkRegionName } from '../inputs/region.js';
import { BadInput } from '../inputs/bad-input.js';
import { nodePoolsFrom } from '../inputs/session.js';
import { loadKubeConfig } from '../kube/client.js';
import { karpenterDetector } from '../operator/duties/karpenter-guard.js';
import { initPolicies, type InitMode } from '../policies/init.js';
import { loadPolicies } from '../policies/policies.js';
import type { NodePool } from '../scheduling/nodepool.js';
import { packagePath } from '../util/package-root.js';
import type { CliIO } from '../util/io.js';

export interface InitOpts {
  nodepools?: string[];
  kubeconfig?: string;
  mode?: string;
  base?: string;
  classLabel?: string;
  write?: string;
  force?: boolean;
  region?: string;
}

const MODES: readonly InitMode[] = ['berth', 'karpenter', 'off'];

interface Found {
  pools: NodePool[];
  source: string;
  mode: InitMode;
  modeWhy: string;
}

async function fromCluster(opts: InitOpts, asked: InitMode | undefined): Promise<Found> {
  const kc = loadKubeConfig(opts.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const server = kc.getCurrentCluster()?.server ?? 'the cluster';
  let pools: NodePool[];
  try {
    pools = (await api.list<NodePool & { apiVersion: string; kind: string }>('karpenter.sh/v1', 'NodePool'))
      .items;
  } catch (e) {
    throw new Error(
      `cannot list the NodePools of ${server} (karpenter.sh/v1): ${e instanceof Error ? e.message : String(e)}; offline, give them with --nodepools`,
      { cause: e },
    );
  }
  if (asked) return { pools, source: `the NodePools of ${server}`, mode: asked, modeWhy: 'as asked' };
  const source = `the NodePools of ${server}`;
  let seen: string | undefined;
  try {
    seen = await karpenterDetector(api, Date.now)();
  } catch (e) {
    // Two provisioners must never buy for the same pods: unable to look, assume Karpenter runs.
    const why = e instanceof Error ? e.message : String(e);
    return {
      pools,
      source,
      mode: 'karpenter',
      modeWhy: `could not look for a Karpenter controller (${why}), so one is assumed; --mode berth to have Berth buy the nodes`,
    };
  }
  return {
    pools,
    source,
    mode: seen ? 'karpenter' : 'berth',
    modeWhy: seen
      ? `a Karpenter controller runs: ${seen}; Berth compiles and validates, Karpenter buys the nodes`
      : 'no Karpenter controller runs: Berth buys and gives back the nodes; --mode karpenter to leave that to one',
  };
}

function fromFiles(paths: readonly string[], asked: InitMode | undefined): Found {
  const pools = nodePoolsFrom(paths).nodePools;
  return {
    pools,
    source: paths.join(', '),
    mode: asked ?? 'karpenter',
    modeWhy: asked
      ? 'as asked'
      : 'from files, beside the Karpenter that runs these pools; --mode berth to have Berth buy the nodes',
  };
}

export async function initAction(opts: InitOpts, io: CliIO): Promise<void> {
  if (opts.mode !== undefined && !(MODES as readonly string[]).includes(opts.mode))
    throw new Error(`--mode must be berth, karpenter or off (got ${opts.mode})`);
  const asked = opts.mode as InitMode | undefined;
  checkRegionName(opts.region);
  const found = opts.nodepools ? fromFiles(opts.nodepools, asked) : await fromCluster(opts, asked);
  if (found.pools.length === 0)
    throw new BadInput([
      { file: found.source, line: 0, col: 0, message: 'no NodePool: nothing to map runtime classes to' },
    ]);
  const basePath = opts.base ?? packagePath('policies.yaml');
  let base: string;
  try {
    base = readFileSync(basePath, 'utf8');
  } catch (e) {
    throw new BadInput([{ file: basePath, line: 0, col: 0, message: (e as Error).message }]);
  }
  const result = initPolicies({
    nodePools: found.pools,
    base,
    mode: found.mode,
    modeWhy: found.modeWhy,
    ...(opts.classLabel !== undefined ? { classLabel: opts.classLabel } : {}),
    source: found.source,
    today: io.clock().toISOString().slice(0, 10),
    ...(opts.region !== undefined ? { region: opts.region } : {}),
  });
  // What is written is what the live reload accepts, or nothing is written.
  const check = loadPolicies(result.text, opts.write ?? 'policies.yaml');
  if (!check.ok) throw new BadInput(check.errors);
  for (const line of result.summary) io.err(`berth init: ${line}\n`);
  if (opts.write === undefined) io.out(result.text);
  else {
    if (existsSync(opts.write) && opts.force !== true)
      throw new Error(`${opts.write} exists; pass --force to replace it`);
    writeFileSync(opts.write, result.text);
    io.err(`berth init: wrote ${opts.write} (${result.classes.length} runtime classes)\n`);
  }
  io.exit(0);
}
