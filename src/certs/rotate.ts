/**
 * Renewal: what to (re)issue given the certificates that exist. A CA close to expiry is replaced
 * and the old one stays in the bundle until it expires, so clients that trust either keep working
 * while the serving certificate changes hands; a serving certificate close to expiry, or one whose
 * names differ from those asked for, is re-issued from the current CA.
 */
import { X509Certificate } from 'node:crypto';
import { expiryOf, issueCa, issueServing, splitBundle, type KeyPair } from './issue.js';

export interface CertFiles {
  /** The CA bundle clients trust (the webhook configurations' caBundle): current CA first. */
  'ca.crt': string;
  'ca.key': string;
  'tls.crt': string;
  'tls.key': string;
}

export interface CertRequest {
  dns: readonly string[];
  ips: readonly string[];
  now: Date;
  caDays: number;
  servingDays: number;
  /** Renew what expires within this many days. */
  renewBeforeDays: number;
}

export interface CertPlan {
  files: CertFiles;
  actions: string[];
  changed: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/** The subjectAltName's DNS names and IPs (Node's parser reads EC and RSA certificates alike). */
function namesOf(pem: string): { dns: string[]; ips: string[] } {
  const names = (new X509Certificate(pem).subjectAltName ?? '').split(', ').filter((n) => n !== '');
  const of = (prefix: string) => names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
  return { dns: of('DNS:'), ips: of('IP Address:') };
}

function sameNames(pem: string, req: CertRequest): boolean {
  const have = namesOf(pem);
  const eq = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  return eq(have.dns, req.dns) && eq(have.ips, req.ips);
}

function signedBy(servingPem: string, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    const serving = new X509Certificate(servingPem);
    return serving.checkIssued(ca) && serving.verify(ca.publicKey);
  } catch {
    return false;
  }
}

export function planCerts(existing: Partial<CertFiles>, req: CertRequest): CertPlan {
  const actions: string[] = [];
  const soon = req.now.getTime() + req.renewBeforeDays * DAY_MS;
  const bundle = splitBundle(existing['ca.crt'] ?? '');
  const current = bundle[0];
  let ca: KeyPair;
  let kept: string[];
  if (current === undefined || existing['ca.key'] === undefined) {
    ca = issueCa('berth-webhook-ca', req.now, req.caDays);
    kept = [];
    actions.push('created a CA');
  } else if (expiryOf(current).getTime() <= soon) {
    ca = issueCa('berth-webhook-ca', req.now, req.caDays);
    kept = bundle.filter((pem) => expiryOf(pem).getTime() > req.now.getTime());
    actions.push(
      `renewed the CA (expires ${expiryOf(current).toISOString()}); the old CA stays in the bundle`,
    );
  } else {
    ca = { cert: current, key: existing['ca.key'] };
    kept = bundle.slice(1).filter((pem) => expiryOf(pem).getTime() > req.now.getTime());
  }
  let serving: KeyPair | undefined =
    existing['tls.crt'] !== undefined && existing['tls.key'] !== undefined
      ? { cert: existing['tls.crt'], key: existing['tls.key'] }
      : undefined;
  if (
    !serving ||
    !signedBy(serving.cert, ca.cert) ||
    expiryOf(serving.cert).getTime() <= soon ||
    !sameNames(serving.cert, req)
  ) {
    serving = issueServing(ca, { dns: req.dns, ips: req.ips, days: req.servingDays, now: req.now });
    actions.push(`issued a serving certificate for ${[...req.dns, ...req.ips].join(', ')}`);
  }
  const files: CertFiles = {
    'ca.crt': [ca.cert, ...kept].map((p) => p.trimEnd() + '\n').join(''),
    'ca.key': ca.key,
    'tls.crt': serving.cert,
    'tls.key': serving.key,
  };
  if (actions.length === 0) actions.push('certificates are current; nothing to do');
  return { files, actions, changed: actions[0] !== 'certificates are current; nothing to do' };
}
