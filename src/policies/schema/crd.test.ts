import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workloadProfileCrd } from './crd.js';
import { profileSchema } from './profile-schema.js';

describe('WorkloadProfile CRD', () => {
  it('deploy/crds holds exactly the schema of the code (run npm run gen:crd after changing it)', () => {
    const file = parse(
      readFileSync(new URL('../../../deploy/crds/workloadprofiles.berth.dev.yaml', import.meta.url), 'utf8'),
    ) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(workloadProfileCrd())));
  });

  it('uses the one schema for spec and offers kubectl get wp columns', () => {
    const crd = workloadProfileCrd() as {
      spec: {
        names: { shortNames: string[] };
        versions: {
          schema: { openAPIV3Schema: { properties: unknown } };
          additionalPrinterColumns: { name: string }[];
        }[];
      };
    };
    const v = crd.spec.versions[0]!;
    expect(v.schema.openAPIV3Schema.properties).toBe(profileSchema.properties);
    expect(crd.spec.names.shortNames).toEqual(['wp']);
    expect(v.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Class',
      'Min',
      'Max',
      'Spot',
      'Bound',
      'Ready',
      'Age',
    ]);
  });
});
