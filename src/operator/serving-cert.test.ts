import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CertFiles } from '../certs/rotate.js';
import type { Versioned } from '../certs/stores.js';
import { ServingCert, type CertSecret } from './serving-cert.js';

/** A Secret in memory with the API server's optimistic concurrency: a write over a stale version is 409. */
class MemorySecret implements CertSecret {
  files: Partial<CertFiles> = {};
  version = 0;
  writes = 0;
  /** Runs between a replica's read and its write: another replica's write. */
  racer: (() => void) | undefined;
  describe() {
    return 'Secret berth-system/berth-tls';
  }
  loadVersioned(): Promise<Versioned> {
    const r: Versioned =
      this.version === 0
        ? { files: { ...this.files } }
        : { files: { ...this.files }, resourceVersion: String(this.version) };
    const race = this.racer;
    this.racer = undefined;
    race?.();
    return Promise.resolve(r);
  }
  saveIfUnchanged(files: CertFiles, rv: string | undefined): Promise<'saved' | 'conflict'> {
    if ((rv === undefined && this.version !== 0) || (rv !== undefined && rv !== String(this.version)))
      return Promise.resolve('conflict');
    this.files = { ...files };
    this.version++;
    this.writes++;
    return Promise.resolve('saved');
  }
}

const DNS = ['berth', 'berth.berth-system', 'berth.berth-system.svc', 'berth.berth-system.svc.cluster.local'];
const t0 = new Date('2026-11-28T00:00:00Z');
const logger = pino({ level: 'silent' });
const replica = (secret: CertSecret, issue = true, now = t0) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  return {
    dir,
    cert: new ServingCert({ secret, issue, names: { dns: DNS, ips: [] }, dir, clock: () => now, logger }),
  };
};

describe('ServingCert', () => {
  it('issues a CA and a pair for the Service when the Secret is missing, and copies the pair to the folder', async () => {
    const secret = new MemorySecret();
    const { dir, cert } = replica(secret);
    const r = await cert.sync();
    expect(r).toEqual({ ready: true, caBundle: secret.files['ca.crt'] });
    expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe(secret.files['tls.crt']);
    expect(existsSync(join(dir, 'ca.key'))).toBe(false);
    const x = new X509Certificate(readFileSync(join(dir, 'tls.crt'), 'utf8'));
    expect(x.subjectAltName).toContain('DNS:berth.berth-system.svc');
  });

  it('two replicas starting together: one issues, the other takes its certificate', async () => {
    const secret = new MemorySecret();
    const a = replica(secret);
    const b = replica(secret);
    // b's write lands between a's read and a's write.
    secret.racer = () => void b.cert.sync();
    await a.cert.sync();
    await new Promise((r) => setTimeout(r, 10));
    expect(secret.writes).toBe(1);
    expect(readFileSync(join(a.dir, 'tls.crt'), 'utf8')).toBe(readFileSync(join(b.dir, 'tls.crt'), 'utf8'));
  });

  it('renews within 30 days of expiry and keeps the CA, so replicas still serving the old pair stay trusted', async () => {
    const secret = new MemorySecret();
    await replica(secret).cert.sync();
    const first = secret.files['tls.crt'];
    const ca = secret.files['ca.crt'];
    await replica(secret, true, new Date(t0.getTime() + 340 * 86_400_000)).cert.sync();
    expect(secret.files['tls.crt']).not.toBe(first);
    expect(secret.files['ca.crt']).toBe(ca);
    expect(secret.writes).toBe(2);
  });

  it('with cert-manager: only reads, and waits until the Secret has a pair', async () => {
    const secret = new MemorySecret();
    const { cert } = replica(secret, false);
    expect(await cert.sync()).toEqual({
      ready: false,
      reason: 'Secret berth-system/berth-tls has no tls.crt and tls.key yet',
    });
    expect(secret.writes).toBe(0);
    await replica(secret).cert.sync();
    const r = await cert.sync();
    expect(r.ready).toBe(true);
    expect(secret.writes).toBe(1);
  });
});
