import { describe, expect, it } from 'vitest';
import {
  labelNameProblem,
  labelValueProblem,
  metadataProblem,
  qualifiedNameProblem,
  subdomainProblem,
} from './names.js';

// k8s.io/apimachinery pkg/util/validation: IsDNS1123Subdomain, IsDNS1123Label, IsQualifiedName,
// IsValidLabelValue (their regexes, lengths and messages).
describe('names as the API server validates them', () => {
  it.each([
    ['web', true],
    ['web.v2', true],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
    ['Web', false],
    ['-web', false],
    ['web-', false],
    ['{{ .Release.Name }}-web', false],
    ['web_1', false],
  ])('subdomain %j: %s', (v, ok) => expect(subdomainProblem(v) === undefined).toBe(ok));

  it.each([
    ['shop', true],
    ['shop-prod', true],
    ['shop.prod', false],
    ['Shop', false],
    ['a'.repeat(64), false],
  ])('namespace %j: %s', (v, ok) => expect(labelNameProblem(v) === undefined).toBe(ok));

  it.each([
    ['app', true],
    ['app.kubernetes.io/name', true],
    ['example.com/Team_A', true],
    ['a/b/c', false],
    ['/name', false],
    ['Example.com/name', false],
    ['name-', false],
    [`x/${'a'.repeat(64)}`, false],
  ])('qualified name %j: %s', (v, ok) => expect(qualifiedNameProblem(v) === undefined).toBe(ok));

  it.each([
    ['', true],
    ['v1.2_3-x', true],
    ['{{ .Values.tag }}', false],
    ['a'.repeat(64), false],
    ['-v', false],
  ])('label value %j: %s', (v, ok) => expect(labelValueProblem(v) === undefined).toBe(ok));

  it('words a refusal as the API server does, naming the field', () => {
    expect(metadataProblem({ name: 'Web' })).toMatch(
      /^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/,
    );
    expect(
      metadataProblem({ name: 'w' }, { path: 'spec.template.metadata', meta: { labels: { a: '{{x}}' } } }),
    ).toMatch(/^spec\.template\.metadata\.labels: Invalid value: "\{\{x\}\}": a valid label must be/);
    expect(metadataProblem({ name: 'w', annotations: { 'Example.COM/Owner': 'x' } })).toBeUndefined();
    expect(metadataProblem({ generateName: 'x-' } as never)).toBeUndefined();
  });
});
