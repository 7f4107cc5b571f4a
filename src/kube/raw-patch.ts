/**
 * Patches whose answers are read for their status only. client-node's typed calls build a model of
 * every answer (ObjectSerializer): a gate lift answered with the whole pod cost the main thread ~1 ms
 * for an object nobody reads — ~0.6 s of a 1,000-pod scale-out's main-thread profile, beside the
 * admission reviews that thread answers. The request goes through the KubeConfig's own options (its
 * server, credentials and, with PooledKubeConfig, keep-alive agent).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';

const TIMEOUT_MS = 30_000;

/** An API server's refusal: `code` is its HTTP status (statusOf reads it), `body` its Status. */
export class PatchRefused extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}: ${body.slice(0, 300)}`);
  }
}

/** PATCHes `path` with `body` as `contentType`; resolves on a 2xx, else rejects with PatchRefused. */
export async function patchRaw(
  kc: KubeConfig,
  path: string,
  body: unknown,
  contentType: string,
): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('no cluster in the kubeconfig');
  const url = new URL(path, server);
  const init = await kc.applyToFetchOptions({ method: 'PATCH', headers: { 'Content-Type': contentType } });
  const headers: Record<string, string> = {};
  // client-node answers with a Headers object (node-fetch's).
  const given = init.headers as { forEach(f: (v: string, k: string) => void): void } | undefined;
  given?.forEach((v, k) => {
    headers[k] = v;
  });
  const data = JSON.stringify(body);
  headers['content-length'] = String(Buffer.byteLength(data));
  const secure = url.protocol === 'https:';
  const agent = secure ? (init.agent as Agent | undefined) : undefined;
  return new Promise((resolve, reject) => {
    const options = { method: 'PATCH', headers, timeout: TIMEOUT_MS, ...(agent ? { agent } : {}) };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      // A success's body (the whole object) is not kept; a refusal's Status is, for the error.
      res.on('data', (c: Buffer) => {
        if (status >= 300) chunks.push(c);
      });
      res.on('end', () => {
        if (status >= 200 && status < 300) resolve();
        else reject(new PatchRefused(status, Buffer.concat(chunks).toString('utf8')));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`PATCH ${url.pathname}: no answer in ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * The one pod call a gate lift makes (kube/pod-gates.ts), as a JSON patch through patchRaw. Only JSON
 * patches: the options client-node's call takes (its content type among them) are not read.
 */
export function jsonPatchPods(kc: KubeConfig): Pick<CoreV1Api, 'patchNamespacedPod'> {
  return {
    patchNamespacedPod: async (p: { name: string; namespace: string; body: unknown }): Promise<V1Pod> => {
      const path = `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.name)}`;
      await patchRaw(kc, `${path}?fieldManager=berth`, p.body, 'application/json-patch+json');
      return {};
    },
  };
}
