/**
 * The simulated and kwok clouds' faults, for fault tests (`berth serve --kwok-faults FILE`; the
 * chaos bench): offerings that have no capacity now — the cloud then answers their launches with an
 * InsufficientCapacityError, as EC2 answers InsufficientInstanceCapacity — and how long each launch
 * takes to answer. A JSON document, checked against its schema; each field of a pattern left out
 * matches every value.
 *
 *   { "unavailable": [{ "instanceType": "m5.large", "zone": "us-east-1a" }], "launchSeconds": 3 }
 */
import { validatorOf } from '../../util/precompiled.js';
import type { Offering } from './provider.js';

export interface OfferingPattern {
  readonly instanceType?: string;
  readonly zone?: string;
  readonly capacityType?: string;
}

export interface SimFaults {
  readonly unavailable: readonly OfferingPattern[];
  readonly launchSeconds: number;
}

export const NO_FAULTS: SimFaults = { unavailable: [], launchSeconds: 0 };

const schema = () => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    unavailable: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          instanceType: { type: 'string', minLength: 1 },
          zone: { type: 'string', minLength: 1 },
          capacityType: { enum: ['on-demand', 'spot', 'reserved'] },
        },
      },
    },
    launchSeconds: { type: 'number', minimum: 0, maximum: 600 },
  },
});

/** The faults a file's text says, or what is wrong with it (each error with its JSON path). */
export function parseSimFaults(text: string): { faults: SimFaults } | { errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { errors: [(e as Error).message] };
  }
  const validate = validatorOf('schemas', 'sim-faults', {
    options: { allErrors: true },
    formats: false,
    schema,
  });
  if (!validate(value))
    return {
      errors: (validate.errors ?? []).map(
        (e) => `${e.instancePath === '' ? '/' : e.instancePath}: ${e.message ?? 'invalid'}`,
      ),
    };
  const v = value as Partial<SimFaults>;
  return { faults: { unavailable: v.unavailable ?? [], launchSeconds: v.launchSeconds ?? 0 } };
}

export function shortOf(faults: SimFaults, o: Offering): boolean {
  return faults.unavailable.some(
    (p) =>
      (p.instanceType === undefined || p.instanceType === o.instanceType) &&
      (p.zone === undefined || p.zone === o.zone) &&
      (p.capacityType === undefined || p.capacityType === o.capacityType),
  );
}
