/**
 * apimachinery's field.Error, as the API server prints it (`<path>: <type>: <value>: <detail>`):
 * strings quoted, numbers bare. For object-invalid's messages, word for word. Pure.
 */
const shown = (v: unknown): string =>
  typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

export const fieldError = {
  required: (path: string, detail = ''): string => `${path}: Required value${detail ? `: ${detail}` : ''}`,
  invalid: (path: string, value: unknown, detail: string): string =>
    `${path}: Invalid value: ${shown(value)}: ${detail}`,
  duplicate: (path: string, value: unknown): string => `${path}: Duplicate value: ${shown(value)}`,
  forbidden: (path: string, detail: string): string => `${path}: Forbidden: ${detail}`,
  notSupported: (path: string, value: unknown, valid: readonly string[]): string =>
    `${path}: Unsupported value: ${shown(value)}: supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
};

/** IsInRange / IsValidPortNum's words. */
export const inclusiveRange = (lo: number, hi: number): string =>
  `must be between ${lo} and ${hi}, inclusive`;

/** The API server's answer for a list of field errors: one alone, several in brackets. */
export const joined = (errors: readonly string[]): string =>
  errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
