/**
 * A Service in front of Berth's replicas, as kube-proxy makes one: a TCP port on loopback that hands
 * each connection to a replica in turn (TLS passes through; both replicas serve the same
 * certificate). A replica whose port refuses is skipped, as its endpoint leaves the Service once its
 * pod dies; with none left the connection is closed, and the API server applies the webhook's
 * failurePolicy.
 *
 * It runs as a process of its own, `node dist/bench/chaos/service.js PORT...` (it prints its port):
 * the bench runs kubectl synchronously, which would stall a proxy on its event loop.
 *
 * `service.js --endpoints FILE` reads the replicas' ports from FILE (one line, space-separated) as it
 * changes, as kube-proxy follows an EndpointSlice, and hands a connection to the endpoint it picks
 * even when that one refuses (as iptables' DNAT does: the client sees the refusal). bench:rollout
 * uses it to remove a terminating replica's endpoint a moment after its SIGTERM, as Kubernetes does.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { stopProcess } from '../../test/e2e/harness.js';

export class LoopbackService {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly backends: () => readonly number[],
    private readonly strict: boolean,
  ) {}

  /**
   * Listens on a free port; `backends` gives the replicas' ports that are up now. `strict`: a refused
   * connection is not handed to the next endpoint (kube-proxy's iptables mode).
   */
  static async start(backends: () => readonly number[], strict = false): Promise<LoopbackService> {
    const holder: { service?: LoopbackService } = {};
    const server = createServer((client) => holder.service?.accept(client));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    holder.service = new LoopbackService(server, port, backends, strict);
    return holder.service;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    const ports = this.backends();
    const order = ports.map((_, i) => ports[(this.next + i) % ports.length] ?? 0);
    this.next += 1;
    this.connect(client, order);
  }

  private connect(client: Socket, order: readonly number[]): void {
    const [port, ...rest] = order;
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port });
    let connected = false;
    upstream.once('error', () => {
      upstream.destroy();
      // Refused: the replica is down; the next one gets the connection.
      if (!connected && !this.strict && rest.length > 0 && !client.destroyed) this.connect(client, rest);
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      this.sockets.add(upstream);
      upstream.once('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Starts the Service as its own process in front of `ports` (or of the ports an endpoints file lists,
 * `{ endpoints: FILE }`); its port, and how to stop it.
 */
export async function startService(
  ports: readonly number[] | { endpoints: string },
): Promise<{ port: number; stop: () => Promise<void> }> {
  const args = 'endpoints' in ports ? ['--endpoints', ports.endpoints] : ports.map(String);
  const proc = spawn(process.execPath, ['dist/bench/chaos/service.js', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('\n')) resolve(Number(out.split('\n')[0]));
    });
    proc.once('exit', (code) => {
      reject(new Error(`the Service process exited ${String(code)} (is the bench built? npm run build)`));
    });
  });
  return { port, stop: () => stopProcess(proc) };
}

/** The ports an endpoints file lists now (the last good reading while it is being rewritten). */
function endpointsFile(file: string): () => readonly number[] {
  let ports: number[] = [];
  const read = (): void => {
    const next = readFileSync(file, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '')
      .map(Number);
    if (next.every((p) => Number.isInteger(p))) ports = next;
  };
  read();
  setInterval(read, 50).unref();
  return () => ports;
}

if (process.argv[1]?.endsWith('service.js') === true) {
  const argv = process.argv.slice(2);
  const file = argv[0] === '--endpoints' ? argv[1] : undefined;
  const ports = argv.map(Number);
  if (file === undefined && (ports.length === 0 || ports.some((p) => !Number.isInteger(p)))) {
    console.error('usage: service.js PORT... | service.js --endpoints FILE');
    process.exit(2);
  }
  const service = await LoopbackService.start(
    file === undefined ? () => ports : endpointsFile(file),
    file !== undefined,
  );
  console.log(service.port);
  process.once('SIGTERM', () => {
    void service.stop().then(() => process.exit(0));
  });
}
