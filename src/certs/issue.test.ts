import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCa, issueServing, serial } from './issue.js';

const bytesOf = (first: number) => () => String.fromCharCode(first, ...Array<number>(15).fill(0x11));

describe('serial', () => {
  it.each([0x00, 0x01, 0x0f, 0x7f, 0x80, 0xff])(
    'first random byte %i gives a minimal positive DER integer',
    (b) => {
      const hex = serial(bytesOf(b));
      expect(hex).toHaveLength(32);
      const first = parseInt(hex.slice(0, 2), 16);
      expect(first).toBeGreaterThanOrEqual(0x01);
      expect(first).toBeLessThanOrEqual(0x7f);
    },
  );

  it('every serial of many is 128 bits, positive and without padding', () => {
    for (let i = 0; i < 2000; i++) {
      const first = parseInt(serial().slice(0, 2), 16);
      expect(first >= 0x01 && first <= 0x7f).toBe(true);
    }
  });
});

describe('issued certificates', () => {
  it('load in OpenSSL (the TLS server and the API server read them)', () => {
    const now = new Date();
    for (let i = 0; i < 4; i++) {
      const ca = issueCa('berth-ca', now, 30);
      const serving = issueServing(ca, { dns: ['localhost'], ips: ['127.0.0.1'], days: 30, now });
      const cert = new X509Certificate(serving.cert);
      expect(cert.checkIssued(new X509Certificate(ca.cert))).toBe(true);
      expect(cert.subjectAltName).toContain('DNS:localhost');
    }
  });
});
