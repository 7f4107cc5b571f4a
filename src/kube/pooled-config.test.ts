import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCa, issueServing, type KeyPair } from '../certs/issue.js';
import { PooledKubeConfig } from './pooled-config.js';

let server: Server;
let ca: KeyPair;
let connections = 0;

beforeAll(async () => {
  const now = new Date();
  ca = issueCa('test-ca', now, 1);
  const serving = issueServing(ca, { dns: ['localhost'], ips: ['127.0.0.1'], days: 1, now });
  server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('watch=true')) {
      res.end(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
      return;
    }
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('secureConnection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function configure<T extends KubeConfig>(kc: T, caPem = ca.cert): T {
  const port = (server.address() as AddressInfo).port;
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: `https://127.0.0.1:${port}`, caData: Buffer.from(caPem).toString('base64') },
    ],
    users: [{ name: 'u', token: 'secret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function requests(kc: KubeConfig, n: number): Promise<number> {
  const before = connections;
  const core = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < n; i++) await core.listNamespace();
  return connections - before;
}

describe('PooledKubeConfig', () => {
  it("client-node's own KubeConfig opens a connection per request (why the pool exists)", async () => {
    expect(await requests(configure(new KubeConfig()), 5)).toBe(5);
  });

  it('sends every request of a config over one kept-alive connection', async () => {
    const kc = configure(new PooledKubeConfig());
    expect(await requests(kc, 5)).toBe(1);
    expect(kc.agentsMade).toBe(1);
  });

  it('watches use the same pool', async () => {
    const kc = configure(new PooledKubeConfig());
    await requests(kc, 1);
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces',
        {},
        (_type, obj: { metadata: { name: string } }) => seen.push(obj.metadata.name),
        (err: unknown) => (err ? reject(err instanceof Error ? err : new Error('watch failed')) : resolve()),
      );
    });
    expect(seen).toEqual(['a']);
    expect(kc.agentsMade).toBe(1);
  });

  it('makes a new agent when the TLS material changes (a rotated certificate), and it still verifies', async () => {
    const kc = configure(new PooledKubeConfig());
    await requests(kc, 2);
    configure(kc, `${ca.cert}\n${issueCa('other-ca', new Date(), 1).cert}`);
    expect(await requests(kc, 2)).toBe(1);
    expect(kc.agentsMade).toBe(2);
    const wrong = configure(new PooledKubeConfig(), issueCa('stranger', new Date(), 1).cert);
    await expect(requests(wrong, 1)).rejects.toThrow();
  });
});
