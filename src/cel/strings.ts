/**
 * The CEL strings extension at the version Kubernetes enables (cel-go ext.Strings(StringsVersion(2)),
 * k8s.io/apiserver pkg/cel/environment/base.go), where the evaluator lacks it: charAt, replace,
 * strings.quote and format. Strings are indexed by code point, as in cel-go. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { registerNamespace } from './namespace.js';
import { formatString } from './string-format.js';

const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
};
const codePoints = (s: string): string[] => (isAscii(s) ? s.split('') : Array.from(s));

function charAt(s: string, at: bigint): string {
  const cps = codePoints(s);
  if (at < 0n || at > BigInt(cps.length)) throw new Error(`index out of range: ${at}`);
  return cps[Number(at)] ?? '';
}

function replace(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = s;
  let start = 0;
  for (let i = 0n; i < n; i++) {
    const at = out.indexOf(from, start);
    if (at < 0) break;
    out = out.slice(0, at) + to + out.slice(at + from.length);
    start = at + to.length + (from.length === 0 ? 1 : 0);
  }
  return out;
}

const QUOTE_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** strings.quote: the string as a CEL double-quoted literal. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) out += QUOTE_ESCAPES[ch] ?? (ch === '\uFFFD' ? '\uFFFD' : ch);
  return `${out}"`;
}

export function registerStrings(env: Environment): Environment {
  return registerNamespace(env, 'StringsNamespace', 'strings')
    .registerFunction('string.charAt(int): string', charAt)
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
      replace(s, a, b, -1n),
    )
    .registerFunction('string.replace(string, string, int): string', replace)
    .registerFunction('string.format(list): string', (s: string, args: unknown[]) => formatString(s, args))
    .registerFunction('StringsNamespace.quote(string): string', (_: unknown, s: string) => quote(s));
}
