import { createServer, type IncomingMessage, type Server } from 'node:http';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackKubeConfig } from '../../test/support/loopback-kube.js';
import { addNodeFinalizer } from './node-writes.js';

interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: unknown;
}

let server: Server;
const seen: Seen[] = [];
let answer = 200;

const read = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => {
      resolve(s);
    });
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1') {
        const nodes = { name: 'nodes', namespaced: false, kind: 'Node', verbs: ['patch'] };
        res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [nodes] }));
        return;
      }
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: body ? JSON.parse(body) : undefined,
      });
      res.statusCode = answer;
      res.end(JSON.stringify(answer === 200 ? { kind: 'Node', apiVersion: 'v1' } : { code: answer }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(() => {
  server.close();
});

function api(): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(loopbackKubeConfig(server));
}

describe('addNodeFinalizer', () => {
  it('sends a strategic merge patch of the one finalizer, without a resourceVersion to conflict on', async () => {
    seen.length = 0;
    answer = 200;
    await addNodeFinalizer(api(), 'n-1', 'karpenter.sh/termination');
    expect(seen).toHaveLength(1);
    const [patch] = seen;
    expect(patch?.method).toBe('PATCH');
    expect(patch?.url).toMatch(/^\/api\/v1\/nodes\/n-1\?/);
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.body).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n-1', finalizers: ['karpenter.sh/termination'] },
    });
  });

  it('takes a Node already gone as done, and passes other failures on', async () => {
    answer = 404;
    await expect(addNodeFinalizer(api(), 'gone', 'karpenter.sh/termination')).resolves.toBeUndefined();
    answer = 500;
    await expect(addNodeFinalizer(api(), 'n-1', 'karpenter.sh/termination')).rejects.toThrow();
    answer = 200;
  });
});
