/**
 * The scheduling gate's thread (gate-thread.ts starts it): an HTTPS server on its own port with the
 * gate's listener, the serving certificate reloaded as the main server's is, and what it decided sent
 * to the main thread every BATCH_MS.
 */
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import {
  gateListener,
  GATE_THREAD_NAME,
  type FromGate,
  type GateRefusal,
  type GateThreadData,
  type ToGate,
} from './gate-server.js';
import type { DecisionLine } from './record.js';
import { readTls, watchTls } from './tls.js';
import { createServing } from './serving.js';
import { nameThisThread } from '../util/thread.js';

/** How often decisions go to the main thread (its logs and metrics lag by this much at most). */
const BATCH_MS = 100;

const port = parentPort;
if (!port) throw new Error('gate-worker runs as a worker thread (berth serve --gate-port)');
const data = workerData as GateThreadData;
/** The name `top -H` shows (GATE_THREAD_NAME). */
nameThisThread(GATE_THREAD_NAME);
const send = (m: FromGate): void => {
  port.postMessage(m);
};

let on = data.on;
let lines: DecisionLine[] = [];
let refusals: GateRefusal[] = [];
let connections = 0;
/** The event loop's utilisation at the last batch: what the thread spent since is sent with the next. */
let elu = performance.eventLoopUtilization();
const flush = (): void => {
  const now = performance.eventLoopUtilization();
  const busySeconds = performance.eventLoopUtilization(now, elu).active / 1000;
  if (lines.length === 0 && refusals.length === 0 && connections === 0) return;
  elu = now;
  send({ type: 'batch', lines, refusals, connections, busySeconds });
  lines = [];
  refusals = [];
  connections = 0;
};

const pair = readTls(data.tls);
const serving = createServing(
  {
    cert: pair.cert,
    key: pair.key,
    deadlineMs: data.deadlineMs,
    http2: data.http2 !== false,
    onConnection: () => {
      connections += 1;
    },
  },
  gateListener({
    on: () => on,
    deadlineMs: data.deadlineMs,
    now: () => performance.now(),
    answered: (l) => lines.push(l),
    refused: (r) => refusals.push(r),
  }),
);
const server = serving.tls;
const tls = watchTls(
  server,
  data.tls,
  (r) => {
    send(
      r.ok
        ? { type: 'tls', ok: true, notAfter: r.pair.notAfter.toISOString() }
        : { type: 'tls', ok: false, error: r.error.message },
    );
  },
  data.tlsPollMs,
);
const batches = setInterval(flush, BATCH_MS);

/** Nothing left to keep the thread: it ends once what it sent has gone. */
const end = (): void => {
  clearInterval(batches);
  tls.stop();
  port.close();
};

port.on('message', (m: ToGate) => {
  if (m.type === 'on') on = m.on;
  else {
    void serving.close(0).then(() => {
      flush();
      send({ type: 'closed' });
      end();
    });
  }
});

server.once('error', (e) => {
  send({ type: 'failed', error: e.message });
  end();
});
server.listen(data.port, data.host, () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});
