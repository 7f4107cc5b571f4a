import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from './client.js';
import { jsonPatchPods, patchRaw } from './raw-patch.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  type: string | undefined;
  auth: string | undefined;
  body: string;
}

describe('patchRaw and jsonPatchPods (a loopback API server)', () => {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers['content-type'],
        auth: req.headers.authorization,
        body,
      });
      if (req.url?.includes('/pods/gone')) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"kind":"Status","code":404}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"Pod","metadata":{}}');
    });
  });
  const kc = new KubeConfig();

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(() => {
    server.close();
  });

  it("sends the lift as a JSON patch with the config's credentials, and reads nothing of a success", async () => {
    const ops = [{ op: 'remove', path: '/spec/schedulingGates/0' }];
    const answer = await jsonPatchPods(kc).patchNamespacedPod({
      name: 'web-1',
      namespace: 'perf',
      body: ops,
    });
    expect(answer).toEqual({});
    expect(seen.at(-1)).toEqual({
      method: 'PATCH',
      url: '/api/v1/namespaces/perf/pods/web-1?fieldManager=berth',
      type: 'application/json-patch+json',
      auth: 'Bearer secret-token',
      body: JSON.stringify(ops),
    });
  });

  it('rejects a refusal with its status where statusOf finds it, and its Status in the message', async () => {
    const refused = patchRaw(kc, '/api/v1/namespaces/perf/pods/gone', [], 'application/json-patch+json');
    await expect(refused).rejects.toThrow(/HTTP 404: \{"kind":"Status"/);
    expect(statusOf(await refused.catch((e: unknown) => e))).toBe(404);
  });
});
