import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { objectApi } from './object-api.js';

/** An API server that answers the karpenter.sh/v1 discovery (slowly, or failing) and NodeClaim creates. */
describe('objectApi: discovery shared by concurrent calls', () => {
  let server: Server;
  let kc: KubeConfig;
  let lookups = 0;
  let failLookups = 0;
  const claim = (name: string) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', metadata: { name } });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/apis/karpenter.sh/v1') {
        lookups += 1;
        setTimeout(() => {
          if (failLookups > 0) {
            failLookups -= 1;
            json(500, { kind: 'Status', code: 500, message: 'etcd is slow' });
            return;
          }
          json(200, {
            kind: 'APIResourceList',
            groupVersion: 'karpenter.sh/v1',
            resources: [
              { name: 'nodeclaims', kind: 'NodeClaim', namespaced: false, singularName: '', verbs: [] },
            ],
          });
        }, 50);
        return;
      }
      if (req.method === 'POST' && req.url?.startsWith('/apis/karpenter.sh/v1/nodeclaims') === true) {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          json(201, JSON.parse(body));
        });
        return;
      }
      json(404, { kind: 'Status', code: 404 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${String(port)}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    lookups = 0;
    failLookups = 0;
  });

  it('looks a kind up once for a burst of creates, then from the cache', async () => {
    const api = objectApi(kc);
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => api.create(claim(`c-${String(i)}`))));
    expect(made.map((m) => m.metadata.name)).toHaveLength(20);
    expect(lookups).toBe(1);
    await api.create(claim('later'));
    expect(lookups).toBe(1);
  });

  it('lets every waiting call fail with a failed lookup, and looks up again on the next call', async () => {
    const api = objectApi(kc);
    failLookups = 1;
    const results = await Promise.allSettled([api.create(claim('a')), api.create(claim('b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(
      /resource metadata for karpenter.sh\/v1\/NodeClaim/,
    );
    expect(lookups).toBe(1);
    await api.create(claim('c'));
    expect(lookups).toBe(2);
  });
});
