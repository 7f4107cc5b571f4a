/**
 * `berth why` on fixture dumps, as a user runs it after an incident: test/why/<case>/dump.yaml (what
 * `kubectl get … -A -o yaml` writes, beside test/why/cluster.yaml, the cluster's NodePools and class) and
 * expected.yaml (the question, and what the answer must say). Judged as of 2026-11-27T12:00:00Z.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { berth } from './support/cli.js';
import { listGrants } from './support/rbac.js';
import type { WhyAnswer } from '../src/why/answer.js';
import { WHY_READS } from '../src/why/cluster-source.js';

interface Expected {
  ask: string[];
  state: string;
  blocker?: string;
  reason?: string;
  fix?: string;
  nodePools?: Record<string, string>;
  poolFixes?: Record<string, string>;
  facts?: string[];
  events?: string[];
}

const ROOT = new URL('./why/', import.meta.url).pathname;
const AT = '2026-11-27T12:00:00Z';
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const ask = (c: string, args: readonly string[], ...more: string[]) =>
  berth('why', '--at', AT, ...args, '-f', join(ROOT, 'cluster.yaml'), join(ROOT, c, 'dump.yaml'), ...more);

describe('berth why on fixture dumps', () => {
  it.each(cases)('%s', async (c) => {
    const want = parse(readFileSync(join(ROOT, c, 'expected.yaml'), 'utf8')) as Expected;
    const r = await ask(c, want.ask, '-o', 'json');
    expect(r.code, r.err).toBe(0);
    const a = JSON.parse(r.out) as WhyAnswer & { asOf: string };
    expect(a.asOf).toBe('2026-11-27T12:00:00.000Z');
    expect(a.state).toBe(want.state);
    expect(a.blocker).toBe(want.blocker);
    if (want.reason !== undefined) expect(a.reason).toContain(want.reason);
    if (want.fix !== undefined) expect(a.fix).toContain(want.fix);
    const pools = new Map((a.nodePools ?? []).map((p) => [p.nodePool, p]));
    for (const [pool, text] of Object.entries(want.nodePools ?? {}))
      expect(pools.get(pool)?.reason).toContain(text);
    // Every NodePool is named, closest first, each once.
    if (want.nodePools) expect([...pools.keys()].sort()).toEqual(['default', 'gpu']);
    for (const [pool, text] of Object.entries(want.poolFixes ?? {}))
      expect(pools.get(pool)?.fix).toContain(text);
    for (const f of want.facts ?? [])
      expect(
        a.facts.some((x) => x.includes(f)),
        `${f} in ${a.facts.join(' | ')}`,
      ).toBe(true);
    for (const e of want.events ?? []) expect(a.events.map((x) => x.reason)).toContain(e);
    // The table says the same reason.
    const table = await ask(c, want.ask);
    expect(table.out).toContain(`  why: ${a.reason}\n`);
    if (a.fix !== undefined) expect(table.out).toContain(`  fix: ${a.fix}\n`);
  });
});

describe('berth why: bad input', () => {
  it('exits 2 for an object that is not there, naming where it looked', async () => {
    const r = await ask('node-pdb', ['node', 'ip-10-9-9-9.ec2.internal']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^node ip-10-9-9-9\.ec2\.internal not found in the dump .*cluster\.yaml/);
    const json = await ask('node-pdb', ['pod', 'shop/nope'], '-o', 'json');
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.out) as { errors: { message: string }[] };
    expect(doc.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^pod shop\/nope not found/)]);
  });

  it('exits 2 for an unknown kind, a bad --at, a bad -o, and an unreadable dump', async () => {
    for (const args of [
      ['deployment', 'web'],
      ['node', 'x', '--at', 'yesterday'],
      ['node', 'x', '-o', 'yaml'],
    ]) {
      const r = await ask('node-pdb', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^berth: /);
    }
    const missing = await berth('why', 'node', 'x', '-f', join(ROOT, 'no-such-dump.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no-such-dump.yaml');
  });

  it('judges a dump as of the newest time it carries when --at is not given', async () => {
    const r = await berth(
      'why',
      'node',
      'ip-10-0-1-24.ec2.internal',
      '-f',
      join(ROOT, 'cluster.yaml'),
      join(ROOT, 'node-consolidate-after', 'dump.yaml'),
      '-o',
      'json',
    );
    const a = JSON.parse(r.out) as WhyAnswer & { asOf: string };
    // The pod bound at 11:59:40 is the newest thing in the dump: consolidateAfter has not passed then.
    expect(a.asOf).toBe('2026-11-27T11:59:40.000Z');
    expect(a.reason).toBe('its pods changed 0s ago; NodePool default waits 60s (consolidateAfter)');
  });
});

describe('deploy/rbac/berth-why.yaml', () => {
  it('grants list on exactly what berth why reads, and nothing else', () => {
    expect(listGrants('deploy/rbac/berth-why.yaml')).toEqual(WHY_READS);
  });
});
