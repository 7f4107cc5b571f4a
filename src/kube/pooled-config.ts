/**
 * A KubeConfig whose requests and watches share one keep-alive connection pool. client-node (1.4)
 * builds a new https.Agent for every call, so each request opened a TCP and TLS connection of its own:
 * a NodeClaim launch (create, labels, status) was three handshakes, and a 160-node round 480, on the
 * API server's CPU as well as Berth's. Here the first agent's options (the cluster's CA, the user's
 * client certificate) become one agent with keepAlive; a new one is made only when that material
 * changes (a rotated client certificate). Proxy agents are left as client-node builds them.
 */
import type { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

type AnyAgent = HttpAgent | HttpsAgent;
type FetchInit = Awaited<ReturnType<KubeConfig['applyToFetchOptions']>>;
type Context = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** The options that decide which server a connection trusts and who it says it is. */
const MATERIAL = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return a === b;
}

export class PooledKubeConfig extends KubeConfig {
  private pool: { material: readonly unknown[]; agent: HttpsAgent } | undefined;
  /** How many agents this config has made (one, unless the TLS material changed). */
  agentsMade = 0;

  override async applySecurityAuthentication(context: Context): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (fresh) context.setAgent(this.pooled(fresh));
  }

  override async applyToFetchOptions(
    opts: Parameters<KubeConfig['applyToFetchOptions']>[0],
  ): Promise<FetchInit> {
    const init = await super.applyToFetchOptions(opts);
    const fresh = init.agent;
    return fresh && typeof fresh === 'object' ? { ...init, agent: this.pooled(fresh) } : init;
  }

  private pooled(fresh: AnyAgent): AnyAgent {
    if (fresh.constructor !== HttpsAgent) return fresh;
    const options = fresh.options;
    const material = MATERIAL.map((k) => options[k]);
    const pool = this.pool;
    if (pool && material.every((v, i) => same(v, pool.material[i]))) return pool.agent;
    this.agentsMade += 1;
    this.pool = { material, agent: new HttpsAgent({ ...options, keepAlive: true }) };
    return this.pool.agent;
  }
}
