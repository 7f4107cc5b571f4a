/**
 * EC2NodeClass fields Karpenter reads and Berth does not act on. A node launched without them would
 * differ from what the class asks for (no placement group, no network interfaces, …), so the class
 * says so — the `FieldsSupported` condition and `berth nodeclass describe` — rather than pass silently.
 */
import type { NodeClassSpec } from './spec.js';

const TOP_LEVEL = ['placementGroupSelector', 'networkInterfaces', 'cpuOptions'] as const;

/** The paths of fields set in the spec that Berth does not support, in spec order. */
export function unsupportedFields(spec: NodeClassSpec): string[] {
  const raw = spec as Readonly<Record<string, unknown>>;
  return TOP_LEVEL.filter((k) => raw[k] !== undefined && raw[k] !== null);
}

/** The condition that reports them; True when every field set is one Berth acts on. It never gates Ready. */
export function fieldsSupported(spec: NodeClassSpec): {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
} {
  const fields = unsupportedFields(spec);
  if (fields.length === 0)
    return { type: 'FieldsSupported', status: 'True', reason: 'FieldsSupported', message: '' };
  return {
    type: 'FieldsSupported',
    status: 'False',
    reason: 'UnsupportedFields',
    message: `Berth does not act on ${fields.join(', ')}: nodes launch without ${fields.length === 1 ? 'it' : 'them'} (docs/concepts/karpenter-compatibility.md)`,
  };
}
