/**
 * bench:cluster's line of what else the API server wrote while the workload's pods were created
 * (bench/cluster/window.ts), read from an audit log as the control plane writes it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creationWindow, windowKind, windowLine } from '../bench/cluster/window.js';
import { NAMESPACE } from './support/perf-workloads.js';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, 0, ms)).toISOString();
const event = (o: {
  user?: string;
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  received: number;
  done: number;
}) =>
  JSON.stringify({
    kind: 'Event',
    stage: 'ResponseComplete',
    verb: o.verb,
    user: { username: o.user ?? 'admin' },
    objectRef: {
      resource: o.resource ?? 'pods',
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      ...(o.subresource ? { subresource: o.subresource } : {}),
    },
    requestReceivedTimestamp: at(o.received),
    stageTimestamp: at(o.done),
  });

describe('the creation window', () => {
  it.each([
    [{ verb: 'create', objectRef: { resource: 'pods', namespace: NAMESPACE } }, 'workload pod creations'],
    [
      { verb: 'create', objectRef: { resource: 'pods', namespace: 'kube-system' } },
      'DaemonSet pod creations',
    ],
    [{ verb: 'create', objectRef: { resource: 'pods', subresource: 'binding' } }, 'bindings'],
    [
      { verb: 'patch', user: { username: 'controller' }, objectRef: { resource: 'nodeclaims' } },
      "the provisioner's writes",
    ],
    [{ verb: 'get', user: { username: 'controller' }, objectRef: { resource: 'nodeclaims' } }, undefined],
    [{ verb: 'patch', user: { username: 'admin' }, objectRef: { resource: 'nodes' } }, undefined],
  ])('%j is %s', (e, kind) => {
    expect(windowKind(e)).toBe(kind);
  });

  const file = join(mkdtempSync(join(tmpdir(), 'berth-window-')), 'audit.log');
  writeFileSync(
    file,
    [
      event({ verb: 'create', namespace: NAMESPACE, received: 1000, done: 1010 }),
      event({ verb: 'create', namespace: NAMESPACE, received: 2000, done: 2060 }),
      event({ verb: 'create', namespace: NAMESPACE, received: 4000, done: 4040 }),
      event({ verb: 'create', namespace: 'kube-system', received: 3000, done: 3050 }),
      event({ verb: 'create', subresource: 'binding', received: 3500, done: 3520 }),
      event({ user: 'controller', verb: 'create', resource: 'nodeclaims', received: 1500, done: 1530 }),
      event({ user: 'controller', verb: 'get', resource: 'nodeclaims', received: 1500, done: 1501 }),
      // before the window, after it, and a creation of an earlier step
      event({ user: 'controller', verb: 'patch', resource: 'nodes', received: 900, done: 1005 }),
      event({ verb: 'create', subresource: 'binding', received: 4030, done: 4100 }),
      event({ verb: 'create', namespace: NAMESPACE, received: 100, done: 200 }),
      '',
    ].join('\n'),
  );
  const from = Date.parse(at(500));

  it('runs from the first workload creation received to the last completed, and holds every write within', () => {
    const w = creationWindow(file, from, Date.parse(at(10_000)));
    expect(w?.to).toBe(Date.parse(at(4040)));
    expect(w?.from).toBe(Date.parse(at(1000)));
    expect(Object.fromEntries(w?.seconds ?? [])).toEqual({
      'workload pod creations': [0.01, 0.06, 0.04],
      'DaemonSet pod creations': [0.05],
      bindings: [0.02],
      "the provisioner's writes": [0.03],
    });
    expect(windowLine(w)).toBe(
      "the API server's writes while the workload's pods were created (3.0 s): workload pod creations 3× " +
        "p50 40.0 / p90 60.0 ms; DaemonSet pod creations 1× p50 50.0 / p90 50.0 ms; bindings 1× p50 20.0 / p90 20.0 ms; the provisioner's writes 1× p50 30.0 / p90 30.0 ms",
    );
  });

  it('ends at the 99th percentile: a pod made again late in the step does not stretch it', () => {
    const late = join(mkdtempSync(join(tmpdir(), 'berth-window-')), 'audit.log');
    const burst = Array.from({ length: 100 }, (_, i) =>
      event({ verb: 'create', namespace: NAMESPACE, received: 1000 + i, done: 1010 + i }),
    );
    writeFileSync(
      late,
      [...burst, event({ verb: 'create', namespace: NAMESPACE, received: 30_000, done: 30_010 })].join('\n'),
    );
    const w = creationWindow(late, from, Date.parse(at(60_000)));
    expect(w?.to).toBe(Date.parse(at(1109)));
    expect(w?.seconds.get('workload pod creations')).toHaveLength(100);
  });

  it('says so when the log holds no workload creation in the step, or cannot be read', () => {
    expect(creationWindow(file, Date.parse(at(5000)), Date.parse(at(9000)))).toBeUndefined();
    expect(creationWindow(join(tmpdir(), 'no-such-audit.log'), 0, 1)).toBeUndefined();
    expect(windowLine(undefined)).toMatch(/no workload pod creations/);
  });
});
