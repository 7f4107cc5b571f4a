/**
 * `berth policies vap`: the rules of a policies.yaml that need only the object, its namespace and
 * params, as ValidatingAdmissionPolicies, bindings and params ConfigMaps (YAML or JSON on stdout); the
 * rules left to the webhook, and why, on stderr.
 */
import { stringify } from 'yaml';
import { defaultPolicies, formatYamlError, loadPoliciesFile } from '../policies/policies.js';
import { generateNativeRules } from '../policies/vap/generate.js';
import type { CliIO } from '../util/io.js';

export interface VapOpts {
  policies?: string;
  namespace: string;
  output: string;
  quiet?: boolean;
}

export function vapAction(opts: VapOpts, io: CliIO): void {
  if (opts.output !== 'yaml' && opts.output !== 'json') {
    io.err(`--output must be yaml or json (got ${opts.output})\n`);
    io.exit(2);
    return;
  }
  let policies = defaultPolicies();
  if (opts.policies !== undefined) {
    const loaded = loadPoliciesFile(opts.policies);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.err(`${formatYamlError(e)}\n`);
      io.exit(2);
      return;
    }
    policies = loaded.policies;
  }
  const g = generateNativeRules(policies, opts.namespace, new Date().toISOString().slice(0, 10));
  if (opts.output === 'json')
    io.out(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: g.objects }, null, 2)}\n`);
  else io.out(g.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
  if (opts.quiet !== true) {
    io.err(`judged by the API server (${g.judged.length}): ${g.judged.join(', ')}\n`);
    for (const r of g.onWebhook) io.err(`on the webhook only: ${r.rule}: ${r.why}\n`);
  }
  io.exit(0);
}
