/**
 * The webhook's certificates with node-forge: a CA, and a serving certificate signed by it for the
 * Service's DNS names (and IPs for local use). Pure apart from key generation; the clock is passed in.
 */
import forge from 'node-forge';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface ServingOptions {
  dns: readonly string[];
  ips: readonly string[];
  days: number;
  now: Date;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * A positive 128-bit serial, as RFC 5280 asks, whose DER encoding is minimal: the first byte is
 * neither 0x00 nor above 0x7f. (A first byte of 0x00 before one below 0x80 is padding DER forbids;
 * OpenSSL 3 refuses such a certificate — "illegal padding" — so one issue in 32 failed to load.)
 */
export function serial(random: (n: number) => string = forge.random.getBytesSync): string {
  const bytes = random(16);
  const first = 0x40 | (bytes.charCodeAt(0) & 0x3f);
  return `${first.toString(16)}${forge.util.bytesToHex(bytes.slice(1))}`;
}

function baseCert(publicKey: forge.pki.PublicKey, now: Date, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // Back-dated by an hour for clocks that lag.
  cert.validity.notBefore = new Date(now.getTime() - 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + days * DAY_MS);
  return cert;
}

function keys(): forge.pki.rsa.KeyPair {
  // forge uses Node's native RSA key generation when it is available.
  return forge.pki.rsa.generateKeyPair({ bits: 2048 });
}

export function issueCa(name: string, now: Date, days: number): KeyPair {
  const pair = keys();
  const cert = baseCert(pair.publicKey, now, days);
  const subject = [{ name: 'commonName', value: name }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pair.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(pair.privateKey) };
}

export function issueServing(ca: KeyPair, opts: ServingOptions): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const pair = keys();
  const cert = baseCert(pair.publicKey, opts.now, opts.days);
  cert.setSubject([{ name: 'commonName', value: opts.dns[0] ?? opts.ips[0] ?? 'berth' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...opts.dns.map((value) => ({ type: 2, value })),
    ...opts.ips.map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(pair.privateKey) };
}

/** The certificate's notAfter. */
export function expiryOf(pem: string): Date {
  return forge.pki.certificateFromPem(pem).validity.notAfter;
}

/** The PEM blocks of a bundle, in order. */
export function splitBundle(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}
