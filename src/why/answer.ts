/**
 * An answer of `berth why`: the object, its state, the first reason (the text Berth's Events carry),
 * one `fix:` where there is one, the NodePools one by one for a pod, the facts behind the answer and
 * the object's recent Events. Rendered as plain lines or as JSON for tools. Pure.
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import { eventTime } from './world.js';

export type WhyKind = 'Pod' | 'Node' | 'NodeClaim' | 'NodePool';

export interface PoolLine {
  readonly nodePool: string;
  readonly reason: string;
  readonly fix?: string;
}

export interface EventLine {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly last?: string;
}

export interface WhyAnswer {
  readonly kind: WhyKind;
  readonly name: string;
  readonly namespace?: string;
  /** A word or two: Pending, Running, kept, disrupted, Launched, Ready, … */
  readonly state: string;
  /** What holds the object: `kube-scheduler`, `provisioning`, `scheduling gate`, a PDB, a budget, … */
  readonly blocker?: string;
  /** The first reason, in the words Berth's Events use. */
  readonly reason: string;
  readonly fix?: string;
  /** A pod's NodePools, closest first, each with the first reason it cannot take the pod. */
  readonly nodePools?: readonly PoolLine[];
  /** What the answer rests on: the decision, the claim, the candidacy, the limits, … */
  readonly facts: readonly string[];
  readonly events: readonly EventLine[];
}

/** A reason with its `(fix: …)` split off: the reason alone, and the fix. */
export function splitFix(text: string): { reason: string; fix?: string } {
  const m = /^(.*?)\s*\(fix: (.*)\)$/.exec(text);
  return m?.[1] !== undefined && m[2] !== undefined ? { reason: m[1], fix: m[2] } : { reason: text };
}

/** Recent Events, newest last, at most `max`. */
export function eventLines(events: readonly CoreV1Event[], max = 8): EventLine[] {
  return events.slice(-max).map((e) => {
    const t = eventTime(e);
    const o = e.involvedObject;
    return {
      object: `${o.kind ?? ''}/${o.name ?? ''}`,
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.series?.count ?? e.count ?? 1,
      ...(t > 0 ? { last: new Date(t).toISOString() } : {}),
    };
  });
}

export function subjectOf(a: Pick<WhyAnswer, 'kind' | 'name' | 'namespace'>): string {
  return `${a.kind} ${a.namespace !== undefined ? `${a.namespace}/` : ''}${a.name}`;
}

/** How long ago an ISO time was, in words (s, then m, then h). */
export function ago(iso: string | undefined, now: Date): string {
  if (iso === undefined) return '';
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** A price per hour as every answer writes it. */
export const perHour = (usd: number): string => `$${usd.toFixed(4)}/h`;

export function renderAnswer(a: WhyAnswer, now: Date): string {
  const out = [`${subjectOf(a)}: ${a.state}${a.blocker !== undefined ? ` — held by ${a.blocker}` : ''}`];
  out.push(`  why: ${a.reason}`);
  if (a.fix !== undefined) out.push(`  fix: ${a.fix}`);
  if (a.nodePools && a.nodePools.length > 0) {
    out.push('', 'NODEPOOLS (closest first)');
    const width = Math.max(...a.nodePools.map((p) => p.nodePool.length));
    for (const p of a.nodePools) {
      out.push(`  ${p.nodePool.padEnd(width)}  ${p.reason}`);
      if (p.fix !== undefined) out.push(`  ${' '.repeat(width)}  fix: ${p.fix}`);
    }
  }
  if (a.facts.length > 0) out.push('', 'FACTS', ...a.facts.map((f) => `  ${f}`));
  if (a.events.length > 0) {
    out.push('', 'EVENTS');
    for (const e of a.events) {
      const times = e.count > 1 ? ` (×${e.count})` : '';
      out.push(`  ${ago(e.last, now).padEnd(8)} ${e.type} ${e.reason} on ${e.object}${times}: ${e.message}`);
    }
  }
  return `${out.join('\n')}\n`;
}
