import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { expiryOf, issueCa, issueServing, serial } from './issue.js';

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

  const now = new Date('2026-11-28T10:00:00Z');
  const ca = issueCa('berth-ca', now, 30);
  const serving = issueServing(ca, { dns: ['berth.berth-system.svc'], ips: ['127.0.0.1'], days: 30, now });

  it('have a P-256 serving key, signed by the RSA CA with sha256, for signing only', () => {
    const cert = new X509Certificate(serving.cert);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(createPrivateKey(serving.key))).toBe(true);
    const caCert = new X509Certificate(ca.cert);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    // A certificate signed by another CA does not verify against this one.
    const other = new X509Certificate(issueCa('other', now, 30).cert);
    expect(cert.verify(other.publicKey)).toBe(false);
    // Node names the extended key usages here: serverAuth only.
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.subjectAltName).toBe('DNS:berth.berth-system.svc, IP Address:127.0.0.1');
    expect(expiryOf(serving.cert).toISOString()).toBe('2026-12-28T10:00:00.000Z');
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-11-28T09:00:00.000Z');
  });

  it('serve TLS that a client trusting only the CA accepts', async () => {
    const server = createServer({ cert: serving.cert, key: serving.key }, (_req, res) => {
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, ca: ca.cert, path: '/', agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            resolve(text);
          });
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('ok');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('read as before where forge reads them: the CA stays RSA', () => {
    expect(forge.pki.certificateFromPem(ca.cert).publicKey).toHaveProperty('n');
  });
});
