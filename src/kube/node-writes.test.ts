import { createServer, type IncomingMessage, type Server } from 'node:http';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackKubeConfig } from '../../test/support/loopback-kube.js';
import { addNodeFinalizer, releaseNodeFinalizer } from './node-writes.js';

interface Seen {
  method: string;
  url: string;
  contentType: string;
  body: unknown;
}

let server: Server;
const seen: Seen[] = [];
let answer = 200;
/** Answers for the next PATCHes, first first (then `answer`); the Node a GET reads (then 404). */
const patchAnswers: number[] = [];
let stored: object | undefined;

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
        const nodes = { name: 'nodes', namespaced: false, kind: 'Node', verbs: ['get', 'patch'] };
        res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [nodes] }));
        return;
      }
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: body ? JSON.parse(body) : undefined,
      });
      if (req.method === 'GET') {
        res.statusCode = stored ? 200 : 404;
        res.end(JSON.stringify(stored ?? { code: 404 }));
        return;
      }
      const code = patchAnswers.shift() ?? answer;
      res.statusCode = code;
      res.end(JSON.stringify(code === 200 ? { kind: 'Node', apiVersion: 'v1' } : { code }));
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

describe('releaseNodeFinalizer', () => {
  const F = 'karpenter.sh/termination';
  const node = (rv: string, finalizers: string[]) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n-1', resourceVersion: rv, finalizers },
  });

  it('patches the list without the finalizer at the resourceVersion read', async () => {
    seen.length = 0;
    await releaseNodeFinalizer(api(), node('1', [F, 'other/keep']), F);
    expect(seen.map((r) => r.method)).toEqual(['PATCH']);
    expect(seen[0]?.body).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n-1', resourceVersion: '1', finalizers: ['other/keep'] },
    });
  });

  it('on a conflict, reads the Node again and patches once more at its resourceVersion, keeping a finalizer added meanwhile', async () => {
    seen.length = 0;
    patchAnswers.push(409);
    stored = node('7', [F, 'other/keep', 'added/meanwhile']);
    await releaseNodeFinalizer(api(), node('1', [F, 'other/keep']), F);
    expect(seen.map((r) => r.method)).toEqual(['PATCH', 'GET', 'PATCH']);
    expect(seen[2]?.body).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n-1', resourceVersion: '7', finalizers: ['other/keep', 'added/meanwhile'] },
    });
    stored = undefined;
  });

  it('is done when the Node read again is gone or no longer has the finalizer', async () => {
    seen.length = 0;
    patchAnswers.push(409);
    await releaseNodeFinalizer(api(), node('1', [F]), F);
    expect(seen.map((r) => r.method)).toEqual(['PATCH', 'GET']);
    seen.length = 0;
    patchAnswers.push(409);
    stored = node('8', []);
    await releaseNodeFinalizer(api(), node('1', [F]), F);
    expect(seen.map((r) => r.method)).toEqual(['PATCH', 'GET']);
    stored = undefined;
  });

  it('passes a second conflict and other failures on, for the next round', async () => {
    patchAnswers.push(409, 409);
    stored = node('9', [F]);
    await expect(releaseNodeFinalizer(api(), node('1', [F]), F)).rejects.toThrow();
    stored = undefined;
    patchAnswers.push(500);
    await expect(releaseNodeFinalizer(api(), node('1', [F]), F)).rejects.toThrow();
    patchAnswers.length = 0;
  });
});
