/**
 * The moving parts of bench:webhook: the server processes (each pinned to core 0 when taskset
 * exists, the load generator to core 1), the Node options they run with (those of the Deployment in
 * deploy/, so Berth is measured as it runs in a cluster), one autocannon run, and the server's RSS
 * and CPU time. The `serve` target is the real `berth serve --local` process (its logger on stdout,
 * sent to /dev/null, the admission feed and the provisioner on the simulated cloud included).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { stringify } from 'yaml';

export type Target = 'bare' | 'node' | 'berth' | 'serve';

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
  /** The server's CPU time (user + system) per answered request, µs. */
  cpuMicros: number;
  errors: number;
}

/** On a machine with taskset, servers get core 0 and the load generator (this process) core 1. */
export const pinned =
  spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;

function spawnPinned(args: readonly string[], stdout: 'pipe' | 'ignore'): ChildProcess {
  const stdio: ['ignore', 'pipe' | 'ignore', 'inherit'] = ['ignore', stdout, 'inherit'];
  return pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio })
    : spawn(process.execPath, args, { stdio });
}

export function startServer(target: Target, nodeOptions: readonly string[]): Promise<Server> {
  if (target === 'serve') return startServe(nodeOptions);
  const script = fileURLToPath(new URL('./webhook-server.js', import.meta.url));
  const proc = spawnPinned([...nodeOptions, script, '--mode', target], 'pipe');
  return new Promise((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`${target} server exited ${c}`)));
    proc.stdout?.on('data', (d: Buffer) => {
      const m = /READY (\d+)/.exec(d.toString());
      if (m) resolve({ target, proc, port: Number(m[1]) });
    });
  });
}

/** A free loopback port (bound, then released for the server to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** `berth serve --local` on the scenario's objects, ready once /readyz answers 200. */
async function startServe(nodeOptions: readonly string[]): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-serve-'));
  const { profile, neighbours } = await import('./scenario.js');
  writeFileSync(join(dir, 'objects.yaml'), [profile, ...neighbours].map((o) => stringify(o)).join('---\n'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const proc = spawnPinned(
    [
      ...nodeOptions,
      main,
      'serve',
      '--local',
      '-f',
      join(dir, 'objects.yaml'),
      '--port',
      String(port),
      '--metrics-port',
      String(metricsPort),
      '--tls-dir',
      join(dir, 'tls'),
    ],
    'ignore',
  );
  let exited: number | null | undefined;
  proc.once('exit', (c) => {
    exited = c;
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 300; i++) {
    if (exited !== undefined) throw new Error(`berth serve --local exited ${exited}`);
    const ready = await new Promise<boolean>((resolve) => {
      const r = httpsGet({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      r.once('error', () => {
        resolve(false);
      });
    });
    if (ready) return { target: 'serve', proc, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('berth serve --local was not ready within 30 s');
}

/** CPU time (user + system) a process has used, µs (from /proc: clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
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
  const cpuBefore = cpuMicros(pid);
  const r = await autocannon({
    url: `https://127.0.0.1:${server.port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  clearInterval(sampler);
  const cpu = cpuMicros(pid) - cpuBefore;
  peak = Math.max(peak, rssMiB(pid));
  return {
    target: server.target,
    connections,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rssMiB: peak,
    cpuMicros: r.requests.total > 0 ? cpu / r.requests.total : 0,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}
