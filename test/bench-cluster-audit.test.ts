import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCounts, podCreates } from '../bench/cluster/observe.js';
import { NAMESPACE } from './support/perf-workloads.js';

const event = (o: {
  user: string;
  verb: string;
  namespace?: string;
  subresource?: string;
  code: number;
  received: string;
  done: string;
  annotations?: Record<string, string>;
}) =>
  JSON.stringify({
    kind: 'Event',
    verb: o.verb,
    user: { username: o.user },
    objectRef: {
      resource: 'pods',
      namespace: o.namespace ?? NAMESPACE,
      ...(o.subresource ? { subresource: o.subresource } : {}),
    },
    responseStatus: { code: o.code },
    requestReceivedTimestamp: o.received,
    stageTimestamp: o.done,
    annotations: o.annotations ?? {},
  });

function log(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-audit-')), 'audit.log');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

const rs = 'system:serviceaccount:kube-system:replicaset-controller';
const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s)).toISOString();

describe('the audit log as the cluster bench reads it', () => {
  const file = log([
    event({ user: rs, verb: 'create', code: 201, received: at(1), done: '2026-11-26T10:00:01.250000Z' }),
    event({
      user: rs,
      verb: 'create',
      code: 201,
      received: at(2),
      done: '2026-11-26T10:00:03.100000Z',
      annotations: {
        'apiserver.latency.k8s.io/mutating-webhook': '850.5ms',
        'apiserver.latency.k8s.io/etcd': '12.5µs',
        'apiserver.latency.k8s.io/total': '1.1s',
      },
    }),
    // refused, another namespace, a subresource, outside the window: not creations of the step
    event({ user: rs, verb: 'create', code: 403, received: at(4), done: at(4) }),
    event({ user: rs, verb: 'create', namespace: 'other', code: 201, received: at(4), done: at(4) }),
    event({
      user: 'controller',
      verb: 'create',
      subresource: 'eviction',
      code: 201,
      received: at(5),
      done: at(5),
    }),
    event({ user: rs, verb: 'create', code: 201, received: at(30), done: at(30) }),
    event({
      user: 'system:kube-scheduler',
      verb: 'create',
      subresource: 'binding',
      code: 201,
      received: at(7),
      done: '2026-11-26T10:00:07.020000Z',
    }),
    event({ user: 'controller', verb: 'delete', code: 200, received: at(6), done: at(6) }),
  ]);

  it('counts only the controller user’s requests', () => {
    expect(auditCounts(file)).toEqual({ requests: 2, evictions: 1, refused: 0, podDeletes: 1 });
  });

  it('times the pods’ creations in the window, and the layers of the slow ones', () => {
    const c = podCreates(file, Date.parse(at(0)), Date.parse(at(10))).pods;
    expect(c.count).toBe(2);
    expect(c.lastAt).toBe(Date.parse('2026-11-26T10:00:03.100Z'));
    expect(c.seconds).toEqual([0.25, 1.1]);
    expect(c.slow.count).toBe(1);
    expect(c.slow.layers.get('mutating-webhook')).toBeCloseTo(0.8505, 6);
    expect(c.slow.layers.get('etcd')).toBeCloseTo(12.5e-6, 9);
    expect(c.slow.layers.get('total')).toBeCloseTo(1.1, 6);
  });

  it('times the Bindings apart, with `binding`', () => {
    const b = podCreates(file, Date.parse(at(0)), Date.parse(at(10))).bindings;
    expect(b.count).toBe(1);
    expect(b.at).toEqual([Date.parse('2026-11-26T10:00:07.020Z')]);
    expect(b.seconds).toEqual([0.02]);
  });

  it('reads Go durations with minutes', () => {
    const file2 = log([
      event({
        user: rs,
        verb: 'create',
        code: 201,
        received: at(1),
        done: at(2),
        annotations: { 'apiserver.latency.k8s.io/total': '1m2.5s' },
      }),
    ]);
    expect(podCreates(file2, 0, Date.parse(at(10))).pods.slow.layers.get('total')).toBeCloseTo(62.5, 6);
  });

  it('has nothing to say about a log that is not there', () => {
    expect(podCreates('/nonexistent/audit.log', 0, 1).pods.count).toBe(0);
  });
});
