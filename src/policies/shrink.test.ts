import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LivePolicies } from './live.js';
import { defaultPolicies, loadPolicies } from './policies.js';
import { unstatedRemovals } from './shrink.js';

const good = readFileSync('policies.yaml', 'utf8');

function doc(text: string) {
  const loaded = loadPolicies(text, 'policies.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.policies.doc;
}

/** The file cut at the first line that starts with `marker` (valid YAML still, as a truncated ConfigMap is). */
const cutAt = (marker: string) => good.slice(0, good.indexOf(`\n${marker}`) + 1);

describe('a reload that would take away what the running policy has', () => {
  const running = doc(good);

  it.each([
    ['a file cut short before exemptions', cutAt('# Exemptions'), /section exemptions is missing/],
    ['a file cut inside the rules', cutAt('  single-replica:'), /rule single-replica is missing/],
    [
      'a dropped override',
      good.replace(/ {4}overrides:\n {6}- runtimeClasses: \[memory\]\n {8}mode: enforce\n/, ''),
      /rule pdb-missing loses 1 override\(s\); list pdb-missing under removed.overrides/,
    ],
    [
      'a dropped runtime class',
      good.replace(/ {2}regulated:\n(?: {4}.*\n)+/, ''),
      /runtime class regulated is missing; list it under removed.runtimeClasses/,
    ],
  ])('is refused: %s', (_what, text, message) => {
    const found = unstatedRemovals(running, doc(text));
    expect(found.join('\n')).toMatch(message);
  });

  it.each([
    ['the same file', good],
    [
      'a section written empty on purpose',
      good
        .replace('defaultProfiles: {}', 'defaultProfiles: {}')
        .replace(/requiredLabels: .*/, 'requiredLabels: []'),
    ],
    [
      'a new runtime class',
      good.replace('runtimeClasses:\n', 'runtimeClasses:\n  extra: { nodePools: [general] }\n'),
    ],
    [
      'removals it states',
      good
        .replace(/ {2}regulated:\n(?: {4}.*\n)+/, '')
        .replace(/ {4}overrides:\n {6}- runtimeClasses: \[memory\]\n {8}mode: enforce\n/, '')
        .replace(/ {2}naked-pod: .*\n/, '') +
        '\nremoved: { runtimeClasses: [regulated], overrides: [pdb-missing], rules: [naked-pod] }\n',
    ],
  ])('goes ahead: %s', (_what, text) => {
    expect(unstatedRemovals(running, doc(text))).toEqual([]);
  });

  it('keeps the running policy in force and says why, with the usual refusal signals', () => {
    let text = good;
    const live = new LivePolicies(defaultPolicies(), 'policies.yaml', () => text);
    text = cutAt('# Exemptions');
    const r = live.reload();
    expect(r?.applied).toBe(false);
    expect(live.refused?.join('\n')).toMatch(/^policies\.yaml: section exemptions is missing/m);
    expect(live.current.doc.exemptions).toBeDefined();
  });
});
