/**
 * One view: `berth serve --local -f examples/` answers every object of the examples as `berth check`
 * judges it — the same objects, the PDBs that profiles generate included. Each object goes to /validate
 * as the API server would send it (after /mutate compiled it).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src/util/io.js';
import { runCli } from '../src/cli/program.js';
import { startLocal } from '../src/operator/local.js';
import type { ServeOpts } from '../src/operator/options.js';
import { openSession, runFiles } from '../src/inputs/session.js';
import { Metrics } from '../src/observability/metrics.js';
import { denialMessage } from '../src/policies/engine.js';
import { LivePolicies } from '../src/policies/live.js';
import { tlsFilesIn } from '../src/webhook/tls.js';
import { review } from './webhook/harness.js';

const now = new Date('2026-11-22T12:00:00Z');
const io: CliIO = { out: () => undefined, err: () => undefined, exit: () => undefined, clock: () => now };
const dir = mkdtempSync(join(tmpdir(), 'berth-view-'));
/** Objects whose verdicts depend on what admission makes of others: a generated PDB, compiled replicas. */
const extra = join(dir, 'team.yaml');
writeFileSync(
  extra,
  `apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: api, namespace: shop }
spec:
  runtimeClass: general
  availability: { minReplicas: 4, zoneSpread: required }
  scaling: { maxReplicas: 20, maxBurstPods: 4 }
  compute: { cpuRequest: 250m, memoryRequest: 256Mi }
  disruption: { maxUnavailable: 1 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop, labels: { app.kubernetes.io/name: api, berth.dev/profile: api } }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: registry.example.com/shop/api:2.0.0 }] }
---
# A second budget over the same pods: with the generated one, every eviction fails.
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api-extra, namespace: shop }
spec:
  minAvailable: 1
  selector: { matchLabels: { app: api } }
`,
);
let url = '';
let ca = '';
let stop: () => Promise<void> = () => Promise.resolve();

function validate(
  body: unknown,
): Promise<{ allowed: boolean; warnings?: string[]; status?: { message: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}/validate`,
      { method: 'POST', ca, headers: { 'Content-Type': 'application/json' }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve((JSON.parse(text) as { response: never }).response));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

beforeAll(async () => {
  await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], io);
  ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const opts = { local: true, file: ['examples', extra], nodeJoinTimeout: '900' } as ServeOpts;
  const session = openSession(opts);
  const started = await startLocal({
    opts,
    session,
    live: new LivePolicies(session.policies),
    base: {
      metrics: new Metrics({ defaults: false }),
      logger: pino({ level: 'silent' }),
      deadlineMs: 4000,
      failOpen: false,
    },
    listen: { host: '127.0.0.1', port: 0, metricsPort: undefined, tls: tlsFilesIn(dir) },
    io,
  });
  url = started.running.url;
  stop = async () => {
    await started.stop();
    await started.running.close();
  };
});

afterAll(() => stop());

describe('serve --local and check: one view, one answer', () => {
  it('answers every example object as berth check judges it', async () => {
    const { result } = runFiles({}, ['examples', extra], () => now);
    expect(result.pdbs.length).toBeGreaterThan(0);
    let compared = 0;
    for (const [i, obj] of result.admitted.entries()) {
      const verdict = result.verdicts[i];
      if (!verdict || verdict.skipped !== undefined || obj.kind === 'Namespace') continue;
      const answer = await validate(review('CREATE', obj));
      const what = `${obj.kind ?? ''} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
      expect(answer.allowed, what).toBe(verdict.allowed);
      expect(answer.warnings ?? [], what).toEqual(verdict.warnings);
      expect(answer.status?.message, what).toBe(verdict.allowed ? undefined : denialMessage(verdict));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
    // The hand-written PDB overlaps the generated one: denied by both.
    const extraPdb = result.admitted.findIndex((o) => o.metadata?.name === 'api-extra');
    expect(result.verdicts[extraPdb]?.allowed).toBe(false);
  });
});
