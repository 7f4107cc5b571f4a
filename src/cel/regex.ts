/**
 * Regular expressions as cel-go runs them (Go's regexp, RE2 syntax), on JavaScript's engine: a
 * pattern is translated once (inline flags such as `(?i)`, `\z`, `(?P<name>…)`) and refused where
 * RE2 refuses it (look-around, back-references). `matches` (CEL's standard library) and Kubernetes'
 * `find` / `findAll` (k8s.io/apiserver pkg/cel/library/regex.go) use it. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

const cache = new Map<string, RegExp | Error>();
const MAX_CACHED = 1024;

/** RE2 → JavaScript: the translated RegExp, or the error RE2 gives. */
export function re2(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = translate(pattern);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, re);
  }
  if (re instanceof Error) throw re;
  return re;
}

function translate(pattern: string): RegExp | Error {
  let flags = 'u';
  let source = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1] ?? '')
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    source = source.slice(lead[0].length);
  }
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]/.test(source))
    return new Error(
      `error parsing regexp: invalid or unsupported Perl syntax: \`${/\(\?<?[=!]/.exec(source)?.[0] ?? '\\'}\``,
    );
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^');
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch (e) {
      return new Error(`error parsing regexp: ${(e as Error).message}`);
    }
  }
}

const matches = (s: string, pattern: string): boolean => re2(pattern).test(s);

function findAll(s: string, pattern: string, n: bigint): string[] {
  if (n === 0n) return [];
  const re = new RegExp(re2(pattern).source, `${re2(pattern).flags}g`);
  const out: string[] = [];
  for (const m of s.matchAll(re)) {
    out.push(m[0]);
    if (n > 0n && BigInt(out.length) >= n) break;
  }
  return out;
}

/**
 * The expression with calls to `matches` routed to the RE2 translation (the evaluator's own
 * `matches` is JavaScript's RegExp, and its standard library cannot be replaced): `.matches(` and
 * `matches(` outside string literals become `.re2Matches(` / `re2Matches(`.
 */
export function routeMatches(expression: string): string {
  if (!expression.includes('matches')) return expression;
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i] ?? '';
    if (ch === '"' || ch === "'") {
      const end = literalEnd(expression, i);
      out += expression.slice(i, end);
      i = end;
      continue;
    }
    if (
      expression.startsWith('matches', i) &&
      !/[\w]/.test(expression[i - 1] ?? '') &&
      /^matches\s*\(/.test(expression.slice(i))
    ) {
      out += 're2Matches';
      i += 'matches'.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function literalEnd(s: string, start: number): number {
  const q = s[start] ?? '"';
  const triple = s.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  const raw = /[rR]/.test(s[start - 1] ?? '');
  let i = start + close.length;
  while (i < s.length) {
    if (!raw && s[i] === '\\') {
      i += 2;
      continue;
    }
    if (s.startsWith(close, i)) return i + close.length;
    i++;
  }
  return s.length;
}

export function registerRegex(env: Environment): Environment {
  return env
    .registerFunction('string.re2Matches(string): bool', matches)
    .registerFunction('re2Matches(string, string): bool', matches)
    .registerFunction('string.find(string): string', (s: string, p: string) => re2(p).exec(s)?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1n))
    .registerFunction('string.findAll(string, int): list<string>', findAll);
}
