/**
 * The moving parts of bench:webhook: the server processes (each pinned to core 0 when taskset
 * exists, the load generator to core 1), the Node options they run with (those of the Deployment in
 * deploy/, so Berth is measured as it runs in a cluster), one autocannon run, and the server's RSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parseAllDocuments } from 'yaml';

export type Target = 'bare' | 'berth';

export interface Server {
  target: Target;
  proc: ChildProcess;
  port: number;
}

export interface Figures {
  target: Target;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  rssMiB: number;
  errors: number;
}

interface EnvVar {
  name?: string;
  value?: string;
}

/** NODE_OPTIONS of the berth container in deploy/berth/deployment.yaml (split into arguments). */
export function deployedNodeOptions(): string[] {
  const file = fileURLToPath(new URL('../../deploy/berth/deployment.yaml', import.meta.url));
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

/** On a machine with taskset, servers get core 0 and the load generator (this process) core 1. */
export const pinned =
  spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;

export function startServer(target: Target, nodeOptions: readonly string[]): Promise<Server> {
  const script = fileURLToPath(new URL('./webhook-server.js', import.meta.url));
  const args = [...nodeOptions, script, '--mode', target];
  const proc = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`${target} server exited ${c}`)));
    proc.stdout.on('data', (d: Buffer) => {
      const m = /READY (\d+)/.exec(d.toString());
      if (m) resolve({ target, proc, port: Number(m[1]) });
    });
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** One autocannon run against /validate; RSS is the server's peak, sampled every 100 ms. */
export async function load(
  server: Server,
  body: string,
  connections: number,
  seconds: number,
): Promise<Figures> {
  const pid = server.proc.pid ?? 0;
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const r = await autocannon({
    url: `https://127.0.0.1:${server.port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid));
  return {
    target: server.target,
    connections,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rssMiB: peak,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}
