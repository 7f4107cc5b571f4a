import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { autoNodeClassCrd, autoNodeClassSpecSchema } from './auto-nodeclass-schema.js';

describe("Auto Mode's NodeClass CRD", () => {
  it('deploy/auto-mode-crds holds exactly the schema of the code (run npm run gen:crd after changing it)', () => {
    const file = parse(
      readFileSync(
        new URL('../../../deploy/auto-mode-crds/nodeclasses.eks.amazonaws.com.yaml', import.meta.url),
        'utf8',
      ),
    ) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(autoNodeClassCrd())));
  });

  it('says role-or-profile as a CEL rule (a structural schema takes no `not`)', () => {
    const crd = JSON.stringify(autoNodeClassCrd());
    expect(crd).not.toContain('"not"');
    expect(crd).toContain('!(has(self.role) && has(self.instanceProfile))');
    expect(Object.keys(autoNodeClassSpecSchema.properties)).toContain('ephemeralStorage');
  });
});
