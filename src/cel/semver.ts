/**
 * Kubernetes' semver library (k8s.io/apiserver pkg/cel/library/semverlib.go, blang/semver/v4):
 * `semver(s)`, `semver(s, normalize)`, `isSemver(s[, normalize])`, isGreaterThan, isLessThan,
 * compareTo, major, minor, patch. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { succeeds } from './values.js';

export class Semver {
  static readonly celType = 'kubernetes.Semver';
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: readonly string[],
  ) {}

  compareTo(o: unknown): number {
    if (!(o instanceof Semver)) throw new Error('no such overload');
    for (const k of ['major', 'minor', 'patch'] as const)
      if (this[k] !== o[k]) return this[k] < o[k] ? -1 : 1;
    if (this.pre.length === 0 || o.pre.length === 0)
      return o.pre.length - this.pre.length === 0 ? 0 : this.pre.length === 0 ? 1 : -1;
    for (let i = 0; i < Math.min(this.pre.length, o.pre.length); i++) {
      const c = comparePre(this.pre[i] ?? '', o.pre[i] ?? '');
      if (c !== 0) return c;
    }
    return Math.sign(this.pre.length - o.pre.length);
  }
}

const NUM = /^(0|[1-9]\d*)$/;
const isNum = (s: string): boolean => /^\d+$/.test(s);
function comparePre(a: string, b: string): number {
  if (isNum(a) && isNum(b)) return Math.sign(Number(BigInt(a) - BigInt(b)));
  if (isNum(a)) return -1;
  if (isNum(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkNumbers(parts: readonly (readonly [string, string])[]): void {
  for (const [name, v] of parts) {
    if (!/^\d+$/.test(v))
      throw new Error(`Invalid character(s) found in ${name.toLowerCase()} number ${JSON.stringify(v)}`);
    if (!NUM.test(v)) throw new Error(`${name} number must not contain leading zeroes ${JSON.stringify(v)}`);
  }
}

function checkPre(pre: readonly string[]): void {
  for (const p of pre) {
    if (p === '') throw new Error('Prerelease is empty');
    if (!/^[0-9A-Za-z-]+$/.test(p))
      throw new Error(`Invalid character(s) found in prerelease ${JSON.stringify(p)}`);
    if (isNum(p) && !NUM.test(p))
      throw new Error(`Prerelease number must not contain leading zeroes ${JSON.stringify(p)}`);
  }
}

function checkBuild(build: string | undefined): void {
  if (build === undefined) return;
  for (const b of build.split('.'))
    if (!/^[0-9A-Za-z-]+$/.test(b))
      throw new Error(
        b === ''
          ? 'Build meta data is empty'
          : `Invalid character(s) found in build meta data ${JSON.stringify(b)}`,
      );
}

/** blang/semver's Parse, with its error texts. */
export function parseSemver(s: string): Semver {
  if (s.length === 0) throw new Error('Version string empty');
  const parts = s.split('.');
  if (parts.length < 3) throw new Error('No Major.Minor.Patch elements found');
  const [maj = '', min = '', ...restParts] = parts;
  const rest = restParts.join('.');
  const plus = rest.indexOf('+');
  const core = plus < 0 ? rest : rest.slice(0, plus);
  const dash = core.indexOf('-');
  const patch = dash < 0 ? core : core.slice(0, dash);
  checkNumbers([
    ['Major', maj],
    ['Minor', min],
    ['Patch', patch],
  ]);
  const pre = dash < 0 ? [] : core.slice(dash + 1).split('.');
  checkPre(pre);
  checkBuild(plus < 0 ? undefined : rest.slice(plus + 1));
  return new Semver(BigInt(maj), BigInt(min), BigInt(patch), pre);
}

/** normalizeAndParse: a leading v, leading zeros and missing minor/patch are forgiven. */
export function normalizedSemver(s: string): Semver {
  const parts = s.replace(/^v/, '').split('.');
  const head = parts.slice(0, 2);
  const tail = parts.slice(2).join('.');
  const all = parts.length > 2 ? [...head, tail] : head;
  const trimmed = all.map((p) => {
    if (p.length <= 1) return p;
    const t = p.replace(/^0+/, '');
    return t.length === 0 || !/^\d/.test(t) ? `0${t}` : t;
  });
  if (trimmed.length < 3) {
    if (/[+-]/.test(trimmed[trimmed.length - 1] ?? ''))
      throw new Error('short version cannot contain PreRelease/Build meta data');
    while (trimmed.length < 3) trimmed.push('0');
  }
  return parseSemver(trimmed.join('.'));
}

export function registerSemver(env: Environment): Environment {
  const T = Semver.celType;
  return env
    .registerType(T, Semver)
    .registerFunction(`semver(string): ${T}`, parseSemver)
    .registerFunction(`semver(string, bool): ${T}`, (s: string, n: boolean) =>
      n ? normalizedSemver(s) : parseSemver(s),
    )
    .registerFunction('isSemver(string): bool', (s: string) => succeeds(() => parseSemver(s)))
    .registerFunction('isSemver(string, bool): bool', (s: string, n: boolean) =>
      succeeds(() => (n ? normalizedSemver(s) : parseSemver(s))),
    )
    .registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: Semver, b: Semver) => a.compareTo(b) > 0)
    .registerFunction(`${T}.isLessThan(${T}): bool`, (a: Semver, b: Semver) => a.compareTo(b) < 0)
    .registerFunction(`${T}.compareTo(${T}): int`, (a: Semver, b: Semver) => BigInt(a.compareTo(b)))
    .registerFunction(`${T}.major(): int`, (v: Semver) => v.major)
    .registerFunction(`${T}.minor(): int`, (v: Semver) => v.minor)
    .registerFunction(`${T}.patch(): int`, (v: Semver) => v.patch);
}
