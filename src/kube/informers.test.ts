import { createServer, type Server, type ServerResponse } from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackKubeConfig } from '../../test/support/loopback-kube.js';
import { Resource, trimmed } from './informers.js';

const managedFields = [
  { manager: 'kube-scheduler', operation: 'Update', fieldsV1: { 'f:status': { 'f:conditions': {} } } },
];
const pod = (name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'a', uid: `uid-${name}`, resourceVersion: rv, managedFields },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});

let server: Server;
/** The open watch's response: the test writes events to it. */
let watching: ServerResponse | undefined;
let watched: () => void = () => undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const url = req.url ?? '';
    if (url === '/api/v1') {
      res.end(
        JSON.stringify({
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list', 'watch'] }],
        }),
      );
    } else if (url.includes('watch=true')) {
      res.flushHeaders();
      watching = res;
      watched();
    } else {
      res.end(
        JSON.stringify({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: [pod('listed', '1')],
        }),
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('trimmed', () => {
  it.each([
    ['an object with managedFields', { metadata: { name: 'a', managedFields } }, { metadata: { name: 'a' } }],
    ['an object without', { metadata: { name: 'a' } }, { metadata: { name: 'a' } }],
    ['no metadata (a watch Status)', { code: 410 }, { code: 410 }],
    ['null', null, null],
  ])('%s', (_, input, expected) => {
    expect(trimmed(structuredClone(input))).toEqual(expected);
  });
});

describe('Resource', () => {
  it('keeps no managedFields, listed or watched', async () => {
    const opened = new Promise<void>((r) => (watched = r));
    const pods = new Resource<V1Pod>(
      loopbackKubeConfig(server),
      { apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods' },
      pino({ level: 'silent' }),
    );
    const added = new Promise<V1Pod>((r) =>
      pods.onChange((p, verb) => verb === 'add' && p.metadata?.name === 'watched' && r(p)),
    );
    await pods.start();
    await opened;
    expect(pods.get('listed', 'a')?.metadata).toEqual({
      name: 'listed',
      namespace: 'a',
      uid: 'uid-listed',
      resourceVersion: '1',
    });
    watching?.write(`${JSON.stringify({ type: 'ADDED', object: pod('watched', '2') })}\n`);
    expect((await added).metadata?.managedFields).toBeUndefined();
    expect(pods.get('watched', 'a')?.metadata?.managedFields).toBeUndefined();
    // '' is the cluster-scoped objects (the background scan's ClusterPolicyReport), never every namespace.
    expect(
      pods
        .list()
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['listed', 'watched']);
    expect(pods.list('a')).toHaveLength(2);
    expect(pods.list('')).toEqual([]);
    await pods.stop();
  });
});
