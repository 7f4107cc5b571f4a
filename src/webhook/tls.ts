/**
 * Serving certificate from mounted files, reloaded when they change (a renewed Secret, cert-manager).
 * A half-written or mismatched pair is refused and the previous one stays in use.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import type { Server } from 'node:tls';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface TlsPair {
  cert: string;
  key: string;
  notAfter: Date;
}

export function tlsFilesIn(dir: string): TlsFiles {
  return { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
}

/** Reads and checks a pair: the key must be the certificate's. Throws with the reason otherwise. */
export function readTls(files: TlsFiles): TlsPair {
  const cert = readFileSync(files.cert, 'utf8');
  const key = readFileSync(files.key, 'utf8');
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key)))
    throw new Error(`${files.key} is not the key of ${files.cert}`);
  return { cert, key, notAfter: new Date(x509.validTo) };
}

export interface TlsWatch {
  stop(): void;
}

/** Polls the files (robust against the symlink swap of a mounted Secret) and swaps the context. */
export function watchTls(
  server: Server,
  files: TlsFiles,
  onChange: (result: { ok: true; pair: TlsPair } | { ok: false; error: Error }) => void,
  intervalMs = 2000,
): TlsWatch {
  const reload = (): void => {
    try {
      const pair = readTls(files);
      server.setSecureContext({ cert: pair.cert, key: pair.key });
      onChange({ ok: true, pair });
    } catch (e) {
      onChange({ ok: false, error: e as Error });
    }
  };
  const listener = (cur: { mtimeMs: number }, prev: { mtimeMs: number }): void => {
    if (cur.mtimeMs !== prev.mtimeMs) reload();
  };
  watchFile(files.cert, { interval: intervalMs, persistent: false }, listener);
  watchFile(files.key, { interval: intervalMs, persistent: false }, listener);
  return {
    stop: () => {
      unwatchFile(files.cert, listener);
      unwatchFile(files.key, listener);
    },
  };
}
