/** Where certificates live: a folder (local use, a mounted volume) or a Secret (in the cluster). */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObjectApi, V1Secret } from '@kubernetes/client-node';
import { statusOf } from '../util/http-status.js';
import type { CertFiles } from './rotate.js';

export interface CertStore {
  describe(): string;
  load(): Promise<Partial<CertFiles>>;
  save(files: CertFiles): Promise<void>;
}

const NAMES = ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'] as const;
const SECRET_FILES = new Set<string>(['ca.key', 'tls.key']);

export class DirStore implements CertStore {
  constructor(private readonly dir: string) {}
  describe(): string {
    return this.dir;
  }
  load(): Promise<Partial<CertFiles>> {
    const out: Partial<CertFiles> = {};
    for (const n of NAMES) {
      const p = join(this.dir, n);
      if (existsSync(p)) out[n] = readFileSync(p, 'utf8');
    }
    return Promise.resolve(out);
  }
  save(files: CertFiles): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    for (const n of NAMES) {
      const p = join(this.dir, n);
      // Key first would leave a key without its certificate for a moment; write the key last.
      writeFileSync(p, files[n], { mode: SECRET_FILES.has(n) ? 0o600 : 0o644 });
      if (SECRET_FILES.has(n)) chmodSync(p, 0o600);
    }
    return Promise.resolve();
  }
}

const isNotFound = (e: unknown): boolean => statusOf(e) === 404;

/** What a Secret held when read, and the version a write must find there still. */
export interface Versioned {
  files: Partial<CertFiles>;
  /** Absent: no Secret yet (a write creates it). */
  resourceVersion?: string;
}

/**
 * A `kubernetes.io/tls` Secret holding the pair, the CA bundle and the CA key (for renewal). Replicas
 * that issue at once write with the version they read (`saveIfUnchanged`): one wins, the others read
 * the winner's certificate.
 */
export class SecretStore implements CertStore {
  constructor(
    private readonly api: KubernetesObjectApi,
    private readonly namespace: string,
    private readonly name: string,
  ) {}
  describe(): string {
    return `Secret ${this.namespace}/${this.name}`;
  }
  private ref(): V1Secret & { metadata: { name: string; namespace: string } } {
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name: this.name, namespace: this.namespace } };
  }
  async load(): Promise<Partial<CertFiles>> {
    return (await this.loadVersioned()).files;
  }
  async loadVersioned(): Promise<Versioned> {
    try {
      const s: V1Secret = await this.api.read<V1Secret>(this.ref());
      const files: Partial<CertFiles> = {};
      for (const n of NAMES) {
        const v = s.data?.[n];
        if (v !== undefined) files[n] = Buffer.from(v, 'base64').toString('utf8');
      }
      const version = s.metadata?.resourceVersion;
      return version === undefined ? { files } : { files, resourceVersion: version };
    } catch (e) {
      if (isNotFound(e)) return { files: {} };
      throw e;
    }
  }
  /** Writes only over the version read: `conflict` when another writer came first (409). */
  async saveIfUnchanged(
    files: CertFiles,
    resourceVersion: string | undefined,
  ): Promise<'saved' | 'conflict'> {
    const body: V1Secret = { ...this.ref(), type: 'kubernetes.io/tls', stringData: { ...files } };
    try {
      if (resourceVersion === undefined) await this.api.create(body);
      else
        await this.api.replace({
          ...body,
          metadata: { name: this.name, namespace: this.namespace, resourceVersion },
        });
      return 'saved';
    } catch (e) {
      if (statusOf(e) === 409) return 'conflict';
      throw e;
    }
  }
  async save(files: CertFiles): Promise<void> {
    const body: V1Secret = { ...this.ref(), type: 'kubernetes.io/tls', stringData: { ...files } };
    try {
      await this.api.read(this.ref());
      await this.api.replace(body);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.api.create(body);
    }
  }
}
