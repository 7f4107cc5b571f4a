/**
 * A Service in front of Berth's replicas, as kube-proxy makes one: a TCP port on loopback that hands
 * each connection to a replica in turn (TLS passes through; both replicas serve the same
 * certificate). A replica whose port refuses is skipped, as its endpoint leaves the Service once its
 * pod dies; with none left the connection is closed, and the API server applies the webhook's
 * failurePolicy.
 *
 * It runs as a process of its own, `node dist/bench/chaos/service.js PORT...` (it prints its port):
 * the bench runs kubectl synchronously, which would stall a proxy on its event loop.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { stopProcess } from '../../test/e2e/harness.js';

export class LoopbackService {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly backends: () => readonly number[],
  ) {}

  /** Listens on a free port; `backends` gives the replicas' ports that are up now. */
  static async start(backends: () => readonly number[]): Promise<LoopbackService> {
    const holder: { service?: LoopbackService } = {};
    const server = createServer((client) => holder.service?.accept(client));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    holder.service = new LoopbackService(server, port, backends);
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
      if (!connected && rest.length > 0 && !client.destroyed) this.connect(client, rest);
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

/** Starts the Service as its own process in front of `ports`; its port, and how to stop it. */
export async function startService(
  ports: readonly number[],
): Promise<{ port: number; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, ['dist/bench/chaos/service.js', ...ports.map(String)], {
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

if (process.argv[1]?.endsWith('service.js') === true) {
  const ports = process.argv.slice(2).map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p))) {
    console.error('usage: service.js PORT...');
    process.exit(2);
  }
  const service = await LoopbackService.start(() => ports);
  console.log(service.port);
  process.once('SIGTERM', () => {
    void service.stop().then(() => process.exit(0));
  });
}
