import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { SimFaultsFile } from '../../operator/sim-faults-file.js';
import { InsufficientCapacityError, type LaunchRequest } from './provider.js';
import { parseSimFaults, shortOf } from './sim-faults.js';
import { SimulatedCloud } from './simulated.js';

const m5a = { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'on-demand' };

describe('parseSimFaults', () => {
  it.each([
    ['{}', { unavailable: [], launchSeconds: 0 }],
    [
      '{"unavailable":[{"zone":"us-east-1a"}],"launchSeconds":2}',
      { unavailable: [{ zone: 'us-east-1a' }], launchSeconds: 2 },
    ],
  ])('reads %s', (text, faults) => {
    expect(parseSimFaults(text)).toEqual({ faults });
  });

  it.each([
    ['{"unavailable":[{"type":"m5.large"}]}', '/unavailable/0: must NOT have additional properties'],
    ['{"launchSeconds":-1}', '/launchSeconds: must be >= 0'],
    [
      '{"unavailable":[{"capacityType":"cheap"}]}',
      '/unavailable/0/capacityType: must be equal to one of the allowed values',
    ],
    ['{"unavailable":', 'JSON'],
  ])('refuses %s, saying where', (text, error) => {
    const r = parseSimFaults(text);
    expect('errors' in r && r.errors.join('\n')).toContain(error);
  });
});

describe('shortOf', () => {
  it.each([
    [{ zone: 'us-east-1a' }, true],
    [{ zone: 'us-east-1b' }, false],
    [{ instanceType: 'm5.large', capacityType: 'on-demand' }, true],
    [{ instanceType: 'm5.large', capacityType: 'spot' }, false],
    [{}, true],
  ])('pattern %j on m5.large in us-east-1a on-demand: %s', (pattern, short) => {
    expect(shortOf({ unavailable: [pattern], launchSeconds: 0 }, m5a)).toBe(short);
  });
});

const request: LaunchRequest = {
  claim: 'c-1',
  nodePool: 'p',
  nodeClass: 'default',
  capacityType: 'on-demand',
  instanceTypes: ['m5.large', 'm5.xlarge'],
  zones: ['us-east-1a', 'us-east-1b'],
  labels: {},
  taints: [],
};

describe('the simulated cloud with a faults file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sim-faults-'));
  const file = join(dir, 'faults.json');
  const write = (text: string) => {
    // As the chaos bench writes it: whole, by rename.
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const faults = new SimFaultsFile(file, pino({ level: 'silent' }));
  const cloud = () =>
    new SimulatedCloud({
      catalog: builtinCatalog(),
      shortOf: (o) => shortOf(faults.current(), o),
      launchLatencyMs: () => faults.current().launchSeconds * 1000,
    });

  it('skips a zone short of capacity and names it; refuses with a typed error when every offering is short', async () => {
    write('{"unavailable":[{"zone":"us-east-1a"}]}');
    const launched = await cloud().create(request);
    expect(launched).toMatchObject({ instanceType: 'm5.large', zone: 'us-east-1b' });
    expect(launched.unavailable).toEqual([m5a]);
    write('{"unavailable":[{"capacityType":"on-demand"}]}');
    const refused = await cloud()
      .create(request)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientCapacityError);
    expect((refused as InsufficientCapacityError).offerings).toHaveLength(4);
  });

  it('keeps the last faults read when the file turns bad, and has none once it is gone', async () => {
    write('{"unavailable":[{"zone":"us-east-1a"}]}');
    expect(faults.current().unavailable).toHaveLength(1);
    writeFileSync(file, '{"unavailable": [');
    expect(faults.current().unavailable).toHaveLength(1);
    rmSync(file);
    expect(faults.current().unavailable).toHaveLength(0);
    expect((await cloud().create(request)).zone).toBe('us-east-1a');
  });

  it('answers a launch after launchSeconds', async () => {
    write('{"launchSeconds":0.2}');
    const t = Date.now();
    await cloud().create(request);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });
});
