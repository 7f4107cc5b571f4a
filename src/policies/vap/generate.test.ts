/**
 * The generated policies say what the engine says: every object of the fixture suite and of the
 * cases below judged by Berth's rules and by the generated ValidatingAdmissionPolicies (through
 * Berth's own kube-apiserver evaluator, src/policies/native), finding for finding, word for word.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { loadObjects } from '../../inputs/objects.js';
import { openSession, type Session } from '../../inputs/session.js';
import { runOffline } from '../offline.js';
import { Policies, defaultPolicies } from '../policies.js';
import { ratchet } from '../../admission/ratchet.js';
import type { Verdict } from '../engine.js';
import { judgeNative } from '../native/dispatch.js';
import { NativePolicySet } from '../native/policy-set.js';
import type { AdmissionAttributes } from '../native/types.js';
import { createAttributes } from '../native/verdicts.js';
import { GENERATED_RULES, generateNativeRules, generatedNames } from './generate.js';
import { WEBHOOK_ONLY } from './webhook-only.js';
import { RULES } from '../rules/catalogue.js';

const TODAY = '2026-11-29';

/** The generated set, failing loudly: a runtime error is a finding here, not an Ignore. */
function nativeSet(policies: Policies): { set: NativePolicySet; judged: ReadonlySet<string> } {
  const g = generateNativeRules(policies, 'berth-system', TODAY);
  const objects = g.objects.map((o) =>
    o.kind === 'ValidatingAdmissionPolicy'
      ? { ...o, spec: { ...(o.spec as object), failurePolicy: 'Fail' } }
      : o,
  );
  return { set: new NativePolicySet(objects), judged: new Set(g.judged) };
}

type Said = string[];

/** What the engine says of the generated rules: `mode text`, the warning's text for warn. */
function engineSays(v: Verdict, judged: ReadonlySet<string>): Said {
  const out: Said = [];
  for (const x of v.violations) {
    if (!judged.has(x.rule)) continue;
    if (x.mode !== 'warn') out.push(`${x.mode} ${x.message}`);
  }
  for (const w of v.warnings) {
    const rule = /^\[([a-z-]+)\]/.exec(w)?.[1];
    if (rule !== undefined && judged.has(rule)) out.push(`warn ${w}`);
  }
  return out.sort();
}

const MODE = { Deny: 'enforce', Warn: 'warn', Audit: 'audit' } as const;

function nativeSays(a: AdmissionAttributes, set: NativePolicySet): Said {
  const r = judgeNative(a, set);
  return r.decisions
    .map((d) => `${d.binding?.endsWith('-ratchet') === true ? 'ratchet' : MODE[d.action]} ${d.message}`)
    .sort();
}

function agree(objects: readonly KubeObject[], session: Session, label: string): number {
  const { set, judged } = nativeSet(session.policies);
  const result = runOffline({ ...session, objects, today: TODAY });
  let n = 0;
  result.verdicts.forEach((v, i) => {
    const o = result.admitted[i];
    if (!o || v.skipped !== undefined) return;
    const attrs = createAttributes(o, set, {
      defaultNamespace: 'default',
      now: new Date(TODAY),
      uid: () => 'u',
    });
    const want = engineSays(v, judged);
    expect(nativeSays(attrs, set), `${label}: ${o.kind ?? ''} ${o.metadata?.name ?? ''}`).toEqual(want);
    if (process.env.SHOW_SAID) console.log(want.join('\n'));
    n += want.length;
  });
  return n;
}

describe('generated ValidatingAdmissionPolicies', () => {
  it('judge the fixture suite as the engine does', () => {
    const root = new URL('../../../test/fixtures/', import.meta.url).pathname;
    let findings = 0;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      const files = ['input.yaml'].map((f) => join(dir, f)).filter((f) => existsSync(f));
      const loaded = loadObjects(files);
      if (!loaded.ok) continue;
      const pf = join(dir, 'policies.yaml');
      const pools = join(dir, 'nodepools.yaml');
      const session = openSession({
        ...(existsSync(pf) ? { policies: pf } : {}),
        ...(existsSync(pools) ? { nodepools: [pools] } : {}),
      });
      findings += agree(
        loaded.objects.map((o) => o.object),
        session,
        name,
      );
    }
    expect(findings).toBeGreaterThanOrEqual(18);
  });
});

const CORPUS = new URL('../../../test/native-rules/corpus.yaml', import.meta.url).pathname;

/** Berth's default policies with every generated rule in one mode. */
function allIn(mode: 'enforce' | 'warn' | 'audit'): Policies {
  const base = defaultPolicies();
  const ids = generateNativeRules(base, 'berth-system', TODAY).judged;
  const rules = { ...(base.doc.rules ?? {}) };
  for (const id of ids) rules[id] = { ...(rules[id] ?? {}), mode };
  return new Policies({ ...base.doc, rules });
}

describe('generated ValidatingAdmissionPolicies on the corpus', () => {
  const loaded = loadObjects([CORPUS]);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const objects = loaded.objects.map((o) => o.object);
  const session = openSession({ nodepools: [CORPUS] });

  it.each([
    ['the default policies', defaultPolicies()],
    ['every rule enforced', allIn('enforce')],
    ['every rule warned', allIn('warn')],
    ['every rule audited', allIn('audit')],
  ])('%s: the same findings, word for word', (_, policies) => {
    expect(agree(objects, { ...session, policies }, 'corpus')).toBeGreaterThan(15);
  });

  it('an UPDATE keeps an enforced finding the old object had as a warning, and denies a new one', () => {
    const policies = allIn('enforce');
    const { set, judged } = nativeSet(policies);
    const old = objects.find((o) => o.metadata?.name === 'node-logs');
    if (!old) throw new Error('corpus lacks node-logs');
    const update = (o: KubeObject): AdmissionAttributes => ({
      ...createAttributes(o, set, { defaultNamespace: 'apps', now: new Date(TODAY), uid: () => 'u' }),
      operation: 'UPDATE',
      oldObject: old,
    });
    const engine = (o: KubeObject) =>
      runOffline({ ...session, policies, objects: [o], today: TODAY }).verdicts[0] as Verdict;
    // Scaled: every finding was there before; the ratchet warns of each.
    const scaled = structuredClone(old) as KubeObject & { spec: { replicas: number } };
    scaled.spec.replicas = 3;
    const kept = engineSays(ratchet(engine(scaled), engine(old)), judged);
    expect(kept.filter((x) => x.startsWith('warn '))).toHaveLength(3);
    expect(nativeSays(update(scaled), set)).toEqual(kept.map((x) => x.replace(/^warn /, 'ratchet ')));
    // A longer grace period: a new finding, denied; the others still warned of.
    const longer = structuredClone(scaled) as unknown as KubeObject & {
      spec: { template: { spec: { terminationGracePeriodSeconds: number } } };
    };
    longer.spec.template.spec.terminationGracePeriodSeconds = 600;
    const worse = engineSays(ratchet(engine(longer), engine(old)), judged);
    expect(worse.filter((x) => x.startsWith('enforce '))).toHaveLength(1);
    expect(nativeSays(update(longer), set)).toEqual(worse.map((x) => x.replace(/^warn /, 'ratchet ')));
  });
});

describe('which rules are generated', () => {
  it('every rule is generated, or left to the webhook with a reason', () => {
    const g = generateNativeRules(defaultPolicies(), 'berth-system', TODAY);
    const generated = new Set(GENERATED_RULES.map((r) => r.id));
    for (const r of RULES) {
      const why = WEBHOOK_ONLY[r.id];
      expect(generated.has(r.id) !== (why !== undefined), r.id).toBe(true);
    }
    expect(g.onWebhook.map((r) => r.why)).not.toContain('no policy is generated for it');
  });

  it('a rule with overrides, or off, is not generated', () => {
    const base = defaultPolicies();
    const rules = {
      ...(base.doc.rules ?? {}),
      'naked-pod': { mode: 'off' as const },
      'grace-period': {
        mode: 'warn' as const,
        overrides: [{ namespaceSelector: { matchLabels: { a: 'b' } }, mode: 'enforce' as const }],
      },
    };
    const g = generateNativeRules(new Policies({ ...base.doc, rules }), 'berth-system', TODAY);
    expect(g.judged).not.toContain('naked-pod');
    expect(g.judged).not.toContain('grace-period');
    expect(g.onWebhook).toContainEqual({
      rule: 'grace-period',
      why: 'its overrides in policies.yaml choose by runtime class or namespace',
    });
    expect(g.objects.some((o) => o.metadata?.name === 'berth-naked-pod')).toBe(false);
  });
});

describe("Berth's RBAC for the generated objects", () => {
  it('names exactly what can be generated', () => {
    const rbac = parseAllDocuments(
      readFileSync(new URL('../../../deploy/berth/rbac.yaml', import.meta.url), 'utf8'),
    ).map((d) => d.toJS() as { kind?: string; rules?: { resources?: string[]; resourceNames?: string[] }[] });
    const names = (resource: string) =>
      rbac
        .flatMap((o) => o.rules ?? [])
        .filter((r) => r.resources?.includes(resource) && r.resourceNames)
        .flatMap((r) => r.resourceNames ?? []);
    const want = generatedNames();
    expect(names('validatingadmissionpolicies')).toEqual(want.policies);
    expect(names('validatingadmissionpolicybindings')).toEqual(want.bound);
    expect(names('configmaps')).toEqual(want.bound);
    // Every object generated under every mode is among them.
    for (const mode of ['enforce', 'warn', 'audit'] as const)
      for (const o of generateNativeRules(allIn(mode), 'berth-system', TODAY).objects)
        expect([...want.policies, ...want.bound]).toContain(o.metadata?.name);
  });
});
