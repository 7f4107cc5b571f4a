/**
 * The webhook over HTTP/2, as kube-apiserver's webhook client speaks it (ALPN h2): many reviews as
 * streams of one connection, HTTP/1.1 beside it on the same port, a session that cancels too many
 * streams (the 2023 rapid reset) closed, and a drain that sends GOAWAY while in-flight reviews finish.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startWebhook, type Running } from '../../src/webhook/server.js';
import { RESET_LIMIT } from '../../src/webhook/serving.js';
import { tlsFilesIn } from '../../src/webhook/tls.js';
import { call, textIo } from './https-client.js';
import { review, testDeps, webPod } from './harness.js';

let running: Running;
let ca = '';
let connections = 0;

/** One review as a stream of `session`: status and body. */
function post(
  session: ClientHttp2Session,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => (text += c.toString()));
    stream.on('end', () => resolve({ status, body: text }));
    stream.on('error', reject);
    stream.end(body);
  });
}

const open = (): Promise<ClientHttp2Session> =>
  new Promise((resolve, reject) => {
    const s = connect(running.url, { ca });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-h2-'));
  await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], textIo());
  ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const deps = testDeps();
  const counter = deps.metrics.connections;
  const inc = counter.inc.bind(counter);
  counter.inc = (...a: unknown[]) => {
    connections++;
    (inc as (...x: unknown[]) => void)(...a);
  };
  running = await startWebhook(
    deps,
    { host: '127.0.0.1', port: 0, metricsPort: undefined, tls: tlsFilesIn(dir) },
    pino({ level: 'silent' }),
  );
});
afterAll(async () => {
  await running.close();
});

describe('the webhook over HTTP/2', () => {
  it('answers 200 reviews as streams of one connection', async () => {
    const before = connections;
    const session = await open();
    expect(session.alpnProtocol).toBe('h2');
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(session, '/gate', JSON.stringify(review('CREATE', webPod(), { uid: `g${i}` }))),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.map((a) => (JSON.parse(a.body) as { response: { uid: string } }).response.uid)).toEqual(
      Array.from({ length: 200 }, (_, i) => `g${i}`),
    );
    expect(connections - before).toBe(1);
    session.close();
  });

  it('answers HTTP/1.1 on the same port', async () => {
    const r = await call(running.url, ca, '/healthz');
    expect(r.status).toBe(200);
  });

  it('refuses a body that is not a review on its stream, and the session goes on', async () => {
    const session = await open();
    const bad = await post(session, '/validate', '{"kind": "Nonsense"');
    expect(bad.status).toBe(400);
    const good = await post(
      session,
      '/validate',
      JSON.stringify(review('CREATE', webPod(), { uid: 'after' })),
    );
    expect(good.status).toBe(200);
    session.close();
  });

  it('closes a session whose peer cancels streams as fast as it opens them (rapid reset)', async () => {
    const session = await open();
    const closed = new Promise<void>((r) => session.once('close', () => r()));
    session.on('error', () => undefined);
    let sent = 0;
    while (!session.destroyed && !session.closed && sent < 1000) {
      const s = session.request({
        ':method': 'POST',
        ':path': '/validate',
        'content-type': 'application/json',
      });
      s.on('error', () => undefined);
      await new Promise((r) => setTimeout(r, 1));
      s.close(constants.NGHTTP2_CANCEL);
      sent++;
    }
    await closed;
    // Closed at Berth's limit, well before nghttp2's own (a burst of 1,000).
    expect(sent).toBeLessThan(RESET_LIMIT + 50);
  });

  it('sends GOAWAY on drain, and answers the review in flight', async () => {
    const session = await open();
    const goaway = new Promise<void>((r) => session.once('goaway', () => r()));
    // A review whose body is still coming when the drain begins.
    const body = JSON.stringify(review('CREATE', webPod(), { uid: 'last' }));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/mutate',
      'content-type': 'application/json',
    });
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (c: Buffer) => (text += c.toString()));
    const ended = new Promise<void>((r) => stream.on('end', () => r()));
    stream.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 100));
    running.drain();
    await goaway;
    stream.end(body.slice(10));
    await ended;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ response: { uid: 'last', allowed: true } });
  });

  it('offers HTTP/1.1 only with --no-http2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-h1-'));
    await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], textIo());
    const h1 = await startWebhook(
      testDeps(),
      { host: '127.0.0.1', port: 0, metricsPort: undefined, tls: tlsFilesIn(dir), http2: false },
      pino({ level: 'silent' }),
    );
    const port = Number(new URL(h1.url).port);
    const caH1 = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const protocol = await new Promise<string | false | null>((resolve, reject) => {
      const socket = tlsConnect(
        { host: '127.0.0.1', port, ca: caH1, ALPNProtocols: ['h2', 'http/1.1'] },
        () => {
          resolve(socket.alpnProtocol);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    expect(protocol).toBe('http/1.1');
    await h1.close();
  });
});
