/**
 * Hostile but valid input, over a real listening server: what a cluster's users can send the webhook
 * (through the API server, or straight at it) never holds it past its deadline, never makes it answer
 * a 5xx, and never gets a verdict built on a misread value.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, createApp } from '../../src/webhook/app.js';
import { review, testApp, testDeps, yamlObject } from './harness.js';

const DEADLINE = 400;

interface Answer {
  status: number;
  body: string;
  millis: number;
  closed: boolean;
}

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer(createApp(testDeps({ deadlineMs: DEADLINE })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  server.closeAllConnections();
});

/**
 * A POST to /validate written by `write` (which may never end the body); resolves with the answer,
 * how long it took and whether the server closed the connection.
 */
function post(
  headers: Record<string, string>,
  write: (req: ReturnType<typeof httpRequest>) => void,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { port, host: '127.0.0.1', method: 'POST', path: '/validate', headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const closed = res.headers.connection === 'close';
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body, millis: performance.now() - started, closed });
        });
      },
    );
    req.on('error', reject);
    write(req);
  });
}

describe('the deadline covers the body', () => {
  it('answers a body that declares 1,000 bytes and stalls with a 408 and a reason, within the deadline', async () => {
    const a = await post({ 'content-type': 'application/json', 'content-length': '1000' }, (req) => {
      req.write('{"apiVersion":');
    });
    expect(a.status).toBe(408);
    expect(JSON.parse(a.body)).toEqual({
      error: `the body did not arrive within the deadline of ${DEADLINE} ms`,
    });
    expect(a.millis).toBeLessThan(DEADLINE + 300);
    expect(a.closed).toBe(true);
  });

  it('answers a body that trickles in a byte at a time with a 408 within the deadline', async () => {
    let timer: NodeJS.Timeout | undefined;
    const a = await post({ 'content-type': 'application/json' }, (req) => {
      timer = setInterval(() => req.write(' '), 20);
    });
    clearInterval(timer);
    expect(a.status).toBe(408);
    expect(a.millis).toBeLessThan(DEADLINE + 300);
  });

  it('stops an endless chunked body at the limit with a 413 and closes the connection', async () => {
    let timer: NodeJS.Timeout | undefined;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const a = await post({ 'content-type': 'application/json' }, (req) => {
      req.on('error', () => undefined);
      timer = setInterval(() => {
        if (!req.destroyed) {
          req.write(chunk);
          sent += chunk.length;
        }
      }, 1);
    });
    clearInterval(timer);
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body)).toEqual({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    expect(a.closed).toBe(true);
    expect(a.millis).toBeLessThan(DEADLINE + 300);
    expect(sent).toBeLessThan(4 * MAX_BODY_BYTES);
  });
});

describe('exact input handling', () => {
  const { app } = testApp();
  const deployment = (memory: string) =>
    yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: big, namespace: payments, labels: { app.kubernetes.io/name: big } }
spec:
  replicas: 3
  selector: { matchLabels: { app: big } }
  template:
    metadata: { labels: { app: big } }
    spec: { containers: [{ name: a, image: x, resources: { requests: { cpu: 500m, memory: "${memory}" } } }] }
`);

  it('refuses bytes that are not UTF-8 with a 400', async () => {
    const text = Buffer.from(JSON.stringify(review('CREATE', deployment('1Gi'))));
    const at = text.indexOf('"big"') + 2;
    const bad = Buffer.concat([text.subarray(0, at), Buffer.from([0xff, 0xfe]), text.subarray(at)]);
    const a = await post({ 'content-type': 'application/json' }, (req) => req.end(bad));
    expect(JSON.parse(a.body)).toEqual({ error: 'the body is not UTF-8' });
    expect(a.status).toBe(400);
  });

  it.each([
    ['application/jsonx', 415],
    ['application/json-patch+json', 415],
    ['text/json', 415],
    ['application/json; charset=utf-8', 200],
    ['Application/JSON', 200],
    [' application/json ;charset=UTF-8', 200],
  ])('compares the media type exactly: %s → %i', async (type, status) => {
    const res = await request(app)
      .post('/validate')
      .set('Content-Type', type)
      .send(JSON.stringify(review('CREATE', deployment('1Gi'))));
    expect(res.status).toBe(status);
  });

  it.each([
    ['1E', '888.2Pi'],
    ['1Ei', '1Ei'],
    ['8Ei', '8Ei'],
    ['1e400', 'more than 8Ei'],
  ])(
    'reads a memory request of %s as Kubernetes does (%s) and denies what no instance holds',
    async (q, shown) => {
      const res = await request(app)
        .post('/validate')
        .set('Content-Type', 'application/json')
        .send(review('CREATE', deployment(q)));
      const out = res.body as { response: { allowed: boolean; status?: { message: string } } };
      expect(out.response.allowed).toBe(false);
      expect(out.response.status?.message).toContain(`[requests-exceed-capacity]`);
      expect(out.response.status?.message).toContain(`${shown} memory`);
      expect(out.response.status?.message).not.toContain('NaN');
    },
  );

  it.each([
    ['ownerReferences: null', { ownerReferences: null }],
    ['metadata with junk', { labels: 7, annotations: [] }],
  ])('allows a kind without rules untouched, whatever its metadata (%s)', async (_what, meta) => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'payments', ...meta },
      data: {},
    };
    for (const path of ['/validate', '/mutate']) {
      const res = await request(app)
        .post(path)
        .set('Content-Type', 'application/json')
        .send(review('CREATE', cm as never));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response: { allowed: true } });
      expect((res.body as { response: { patch?: string } }).response.patch).toBeUndefined();
    }
  });
});

describe('bounded evaluation', () => {
  const terms = (n: number, term: (i: number) => unknown) => Array.from({ length: n }, (_, i) => term(i));
  const withTerms = (cpu: string, nodeSelectorTerms: unknown[]) =>
    yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: wide, namespace: payments, labels: { app.kubernetes.io/name: wide } }
spec:
  replicas: 3
  selector: { matchLabels: { app: wide } }
  template:
    metadata: { labels: { app: wide } }
    spec:
      containers: [{ name: a, image: x, resources: { requests: { cpu: "${cpu}", memory: 1Gi } } }]
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: ${JSON.stringify(nodeSelectorTerms)} } } }
`);
  const { app } = testApp({ deadlineMs: 4000 });
  const send = async (obj: ReturnType<typeof yamlObject>) => {
    const started = performance.now();
    const res = await request(app)
      .post('/validate')
      .set('Content-Type', 'application/json')
      .send(review('CREATE', obj));
    return { res, millis: performance.now() - started };
  };

  it('judges 10,000 node selector terms that name instance types in well under a second', async () => {
    // t3: a category no NodePool of the examples allows (Berth's nor Auto Mode's general-purpose).
    const obj = withTerms(
      '1',
      terms(10_000, (i) => ({
        matchExpressions: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: [`t3.${i}xlarge`] },
        ],
      })),
    );
    const { res, millis } = await send(obj);
    expect(res.status).toBe(200);
    expect((res.body as { response: { status?: { message: string } } }).response.status?.message).toContain(
      '[placement-unsatisfiable]',
    );
    expect(millis).toBeLessThan(2500);
  });

  it('abandons 10,000 terms none of which fits, answering in the failure mode well within the deadline', async () => {
    const obj = withTerms(
      '1000',
      terms(10_000, (i) => ({
        matchExpressions: [
          { key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: [`m5.${i}xlarge`] },
        ],
      })),
    );
    const { res, millis } = await send(obj);
    const out = res.body as { response: { allowed: boolean; status?: { code: number; message: string } } };
    expect(res.status).toBe(200);
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.code).toBe(503);
    expect(out.response.status?.message).toMatch(
      /evaluation abandoned: placement gave up past 150000 instance types checked for 10000 node selector terms/,
    );
    expect(millis).toBeLessThan(2500);
  });

  it('answers what was decided past the deadline in the failure mode, not as a verdict', async () => {
    const deps = testDeps({ deadlineMs: 50 });
    const slow = createApp({
      ...deps,
      context: () => {
        const until = performance.now() + 120;
        while (performance.now() < until);
        return deps.context();
      },
    });
    const res = await request(slow)
      .post('/validate')
      .set('Content-Type', 'application/json')
      .send(review('CREATE', withTerms('1', [])));
    const out = res.body as { response: { allowed: boolean; status?: { message: string } } };
    expect(out.response.allowed).toBe(false);
    expect(out.response.status?.message).toMatch(/past the deadline of 50 ms/);
  });
});
