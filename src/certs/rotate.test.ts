import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expiryOf, splitBundle } from './issue.js';
import { planCerts } from './rotate.js';

const DAY = 24 * 3600 * 1000;
const t0 = new Date('2026-11-21T00:00:00Z');
const req = (now: Date, over: Partial<Parameters<typeof planCerts>[1]> = {}) => ({
  dns: ['berth.berth-system.svc'],
  ips: [],
  now,
  caDays: 100,
  servingDays: 40,
  renewBeforeDays: 30,
  ...over,
});

function verifies(caPem: string, certPem: string): boolean {
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

describe('planCerts', () => {
  const first = planCerts({}, req(t0));

  it('creates a CA and a serving certificate it signs, for the names asked', () => {
    expect(first.actions).toEqual([
      'created a CA',
      'issued a serving certificate for berth.berth-system.svc',
    ]);
    expect(splitBundle(first.files['ca.crt'])).toHaveLength(1);
    expect(verifies(first.files['ca.crt'], first.files['tls.crt'])).toBe(true);
  });

  it('does nothing while both are far from expiry', () => {
    const again = planCerts(first.files, req(new Date(t0.getTime() + DAY)));
    expect(again.changed).toBe(false);
    expect(again.files).toEqual(first.files);
  });

  it('re-issues the serving certificate within the renewal window, from the same CA', () => {
    const later = planCerts(first.files, req(new Date(t0.getTime() + 15 * DAY)));
    expect(later.actions).toEqual(['issued a serving certificate for berth.berth-system.svc']);
    expect(later.files['ca.crt']).toBe(first.files['ca.crt']);
    expect(later.files['tls.crt']).not.toBe(first.files['tls.crt']);
  });

  it('re-issues when the names change', () => {
    const renamed = planCerts(first.files, req(t0, { dns: ['berth.other.svc'] }));
    expect(renamed.actions).toEqual(['issued a serving certificate for berth.other.svc']);
  });

  it('renews the CA with an overlap: the old CA stays in the bundle until it expires', () => {
    const at = new Date(t0.getTime() + 75 * DAY);
    const renewed = planCerts(first.files, req(at));
    expect(renewed.actions[0]).toMatch(/^renewed the CA/);
    const bundle = splitBundle(renewed.files['ca.crt']);
    expect(bundle).toHaveLength(2);
    expect(bundle[1]?.trim()).toBe(first.files['ca.crt'].trim());
    expect(verifies(bundle[0]!, renewed.files['tls.crt'])).toBe(true);
    // Past the old CA's expiry it drops out of the bundle.
    const after = planCerts(renewed.files, req(new Date(expiryOf(bundle[1]!).getTime() + DAY)));
    expect(splitBundle(after.files['ca.crt'])).toHaveLength(1);
  });
});
