/**
 * The main thread's side of the scheduling gate's server (`berth serve --gate-port`): starts the
 * thread (gate-worker.ts), tells it whether new pods are gated as that changes, logs and counts what
 * it decided (one registry, one log), and starts it again on the same port if it ever dies.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Check } from './readiness.js';
import { spawnThread } from '../util/thread.js';
import type { FromGate, GateThreadData, ToGate } from './gate-server.js';
import { recordLine, recordRefusal } from './record.js';
import type { Running, ServeOptions } from './server.js';
import type { TlsFiles } from './tls.js';

export interface GateThreadOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  tls: TlsFiles;
  deadlineMs: number;
  /** Whether new pods are gated now (read every pollMs and sent to the thread when it changes). */
  on: () => boolean;
  metrics: Metrics;
  logger: Logger;
  pollMs?: number;
  tlsPollMs?: number;
  http2?: boolean;
  /** How long after the thread dies it is started again (default 1 s). */
  restartMs?: number;
}

/** The thread's heap: it holds one review at a time per connection, up to 6 MiB each. */
const GATE_HEAP_MIB = 64;
const CLOSE_MS = 5000;

export class GateThread {
  private worker: Worker | undefined;
  private poll: NodeJS.Timeout | undefined;
  private restart: NodeJS.Timeout | undefined;
  private sent: boolean | undefined;
  private closing = false;
  /** The port it listens on (the one asked for, or the one picked for 0). */
  port = 0;
  listening = false;

  private constructor(private readonly o: GateThreadOptions) {}

  /** Starts the thread; resolves once it listens, rejects with why it could not (a port in use). */
  static async start(o: GateThreadOptions): Promise<GateThread> {
    const t = new GateThread(o);
    await t.spawn(o.port);
    t.poll = setInterval(() => {
      t.tell();
    }, o.pollMs ?? 100);
    return t;
  }

  get url(): string {
    return `https://${this.o.host}:${this.port}`;
  }

  private tell(): void {
    const on = this.o.on();
    if (on === this.sent || !this.worker) return;
    this.sent = on;
    this.worker.postMessage({ type: 'on', on } satisfies ToGate);
  }

  private spawn(port: number): Promise<void> {
    const on = this.o.on();
    const data: GateThreadData = {
      host: this.o.host,
      port,
      tls: this.o.tls,
      deadlineMs: this.o.deadlineMs,
      on,
      ...(this.o.tlsPollMs === undefined ? {} : { tlsPollMs: this.o.tlsPollMs }),
      ...(this.o.http2 === false ? { http2: false } : {}),
    };
    const worker = spawnThread(import.meta.url, 'gate-worker', {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: GATE_HEAP_MIB },
    });
    this.worker = worker;
    this.sent = on;
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromGate) => {
        if (m.type === 'listening') {
          started = true;
          this.port = m.port;
          this.listening = true;
          resolve();
        } else if (m.type === 'failed') reject(new Error(`the gate's server on port ${port}: ${m.error}`));
        else this.received(m);
      });
      worker.on('error', (e) => {
        if (!started) reject(e instanceof Error ? e : new Error(String(e)));
        else this.o.logger.error({ err: String(e) }, "the scheduling gate's thread failed");
      });
      worker.on('exit', (code) => {
        this.listening = false;
        if (this.worker === worker) this.worker = undefined;
        if (!started) reject(new Error(`the gate's thread exited (code ${code}) before it listened`));
        else if (!this.closing) this.again();
      });
    });
  }

  /** The thread died after it listened: on the same port again, a second later. */
  private again(): void {
    this.o.logger.error({ port: this.port }, "the scheduling gate's thread stopped; starting it again");
    this.restart = setTimeout(() => {
      this.spawn(this.port).catch((e: unknown) => {
        if (this.closing) return;
        this.o.logger.error({ err: String(e) }, "the scheduling gate's thread did not start");
        this.again();
      });
    }, this.o.restartMs ?? 1000);
  }

  private received(m: FromGate): void {
    const { metrics, logger } = this.o;
    if (m.type === 'batch') {
      for (const line of m.lines) recordLine(line, metrics, logger);
      for (const r of m.refusals) recordRefusal('gate', r.status, r.reason, metrics, logger);
      if (m.connections > 0) metrics.connections.inc(m.connections);
      if (m.busySeconds > 0) metrics.gateBusy.inc(m.busySeconds);
    } else if (m.type === 'tls' && !m.ok)
      logger.error({ err: m.error }, "the gate's serving certificate refused; the previous one stays in use");
  }

  /** Stops the server (what it decided is logged first) and the thread. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.poll);
    clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      // A thread that does not end on its own within CLOSE_MS is ended.
      const timer = setTimeout(() => void worker.terminate(), CLOSE_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ type: 'close' } satisfies ToGate);
    });
  }
}

/** With --gate-port, the gate's thread beside the main server (a port it cannot take stops both). */
export async function startGate(
  main: Running,
  listen: ServeOptions,
  d: { deadlineMs: number; on: () => boolean; metrics: Metrics; logger: Logger },
): Promise<GateThread | undefined> {
  if (listen.gatePort === undefined) return undefined;
  try {
    const http2 = listen.http2 === false ? { http2: false } : {};
    return await GateThread.start({
      host: listen.host,
      port: listen.gatePort,
      tls: listen.tls,
      ...http2,
      ...d,
    });
  } catch (e) {
    await main.close();
    throw e;
  }
}

/** The main server, with the gate's URL and the gate's thread closed before it. */
export function withGate(main: Running, gate: GateThread | undefined): Running {
  if (!gate) return main;
  return {
    ...main,
    gateUrl: gate.url,
    close: async () => {
      await gate.close();
      await main.close();
    },
  };
}

/** /readyz: the gate's server listens (it is started again a second after its thread dies). */
export const gateCheck = (gate: GateThread): Check =>
  gate.listening
    ? { name: 'gate', ok: true, detail: `the scheduling gate's thread serves port ${gate.port}` }
    : { name: 'gate', ok: false, detail: "the scheduling gate's thread is starting again" };
