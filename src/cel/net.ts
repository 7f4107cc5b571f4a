/**
 * Kubernetes' IP and CIDR libraries (k8s.io/apiserver pkg/cel/library/ip.go, cidr.go) over Go's
 * net/netip parsing: IPv4 in strict dotted decimal (no leading zeros), IPv6 with `::`, no zones, no
 * IPv4-mapped IPv6; strings are netip's canonical form. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { succeeds } from './values.js';
import { registerNamespace } from './namespace.js';

export class IP {
  static readonly celType = 'net.IP';
  constructor(
    readonly bits: bigint,
    readonly v4: boolean,
  ) {}
  toString(): string {
    return this.v4 ? v4String(this.bits) : v6String(this.bits);
  }
  compareTo(o: unknown): number {
    return o instanceof IP && o.v4 === this.v4 && o.bits === this.bits ? 0 : 1;
  }
}

export class CIDR {
  static readonly celType = 'net.CIDR';
  constructor(
    readonly ip: IP,
    readonly prefix: number,
  ) {}
  toString(): string {
    return `${this.ip.toString()}/${this.prefix}`;
  }
  compareTo(o: unknown): number {
    return o instanceof CIDR && o.prefix === this.prefix && o.ip.compareTo(this.ip) === 0 ? 0 : 1;
  }
}

const v4String = (b: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((b >> s) & 255n)).join('.');

function v6String(b: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((b >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parseV4(s: string): bigint | string {
  const parts = s.split('.');
  if (parts.length !== 4) return 'IPv4 address too short';
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p))
      return p === '' ? 'IPv4 field must have at least one digit' : 'unexpected character';
    if (p.length > 1 && p.startsWith('0')) return 'IPv4 field has octet with leading zero';
    if (Number(p) > 255) return 'IPv4 field has value >255';
    out = (out << 8n) | BigInt(p);
  }
  return out;
}

function parseV6(s: string): bigint | string {
  if (s.includes('%')) return 'zone';
  const halves = s.split('::');
  if (halves.length > 2) return 'multiple :: in address';
  const group = (h: string): (number | bigint)[] | string => {
    if (h === '') return [];
    const out: (number | bigint)[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (typeof v4 === 'string') return v4;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return p.length > 4 ? 'each group must have 4 or less digits' : 'unexpected character';
    }
    return out;
  };
  const head = group(halves[0] ?? '');
  const tail = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (typeof head === 'string') return head;
  if (typeof tail === 'string') return tail;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1)
    return fill < 0 ? 'too many fields' : 'address string too short';
  const all = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return all.reduce<bigint>((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** netip.ParseAddr, then Kubernetes' refusals (zones, IPv4-mapped IPv6). */
export function parseIP(raw: string): IP {
  if (raw.includes(':')) {
    if (raw.includes('%'))
      throw new Error(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
    const b = parseV6(raw);
    if (typeof b === 'string')
      throw new Error(
        `IP Address ${JSON.stringify(raw)} parse error during conversion from string: ParseAddr(${JSON.stringify(raw)}): ${b}`,
      );
    if (b >> 32n === 0xffffn)
      throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
    return new IP(b, false);
  }
  const b = parseV4(raw);
  if (typeof b === 'string')
    throw new Error(
      `IP Address ${JSON.stringify(raw)} parse error during conversion from string: ParseAddr(${JSON.stringify(raw)}): ${raw === '' ? 'unable to parse IP' : b}`,
    );
  return new IP(b, true);
}

export function parseCIDR(raw: string): CIDR {
  const fail = (why: string): never => {
    throw new Error(
      `network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${why}`,
    );
  };
  const at = raw.lastIndexOf('/');
  if (at < 0) fail("no '/'");
  let ip: IP | undefined;
  try {
    ip = parseIP(raw.slice(0, at));
  } catch {
    fail(`ParseAddr(${JSON.stringify(raw.slice(0, at))}): unable to parse IP`);
  }
  const bits = raw.slice(at + 1);
  const max = ip?.v4 ? 32 : 128;
  if (!/^(0|[1-9]\d*)$/.test(bits) || Number(bits) > max)
    fail(`bad bits after slash: ${JSON.stringify(bits)}`);
  return new CIDR(ip as IP, Number(bits));
}

const width = (ip: IP): bigint => (ip.v4 ? 32n : 128n);
const mask = (ip: IP, prefix: number): bigint => {
  const w = width(ip);
  return ((1n << w) - 1n) ^ ((1n << (w - BigInt(prefix))) - 1n);
};

function contains(c: CIDR, ip: IP): boolean {
  if (c.ip.v4 !== ip.v4) return false;
  const m = mask(c.ip, c.prefix);
  return (c.ip.bits & m) === (ip.bits & m);
}

function isGlobalUnicast(ip: IP): boolean {
  const b = ip.bits;
  if (ip.v4)
    return b !== 0n && b !== 0xffffffffn && b >> 24n !== 127n && !(b >> 16n === 0xa9fen) && b >> 28n !== 0xen;
  return b !== 0n && b !== 1n && b >> 118n !== 0x3fan && b >> 120n !== 0xffn;
}

export function registerNet(env: Environment): Environment {
  const I = IP.celType;
  const C = CIDR.celType;
  return registerNamespace(env.registerType(I, IP).registerType(C, CIDR), 'IpNamespace', 'ip')
    .registerFunction(`ip(string): ${I}`, parseIP)
    .registerFunction('isIP(string): bool', (s: string) => succeeds(() => parseIP(s)))
    .registerFunction(
      'IpNamespace.isCanonical(string): bool',
      (_: unknown, s: string) => parseIP(s).toString() === s,
    )
    .registerFunction(`${I}.family(): int`, (ip: IP) => (ip.v4 ? 4n : 6n))
    .registerFunction(`${I}.isUnspecified(): bool`, (ip: IP) => ip.bits === 0n)
    .registerFunction(`${I}.isLoopback(): bool`, (ip: IP) =>
      ip.v4 ? ip.bits >> 24n === 127n : ip.bits === 1n,
    )
    .registerFunction(`${I}.isLinkLocalMulticast(): bool`, (ip: IP) =>
      ip.v4 ? ip.bits >> 8n === 0xe00000n : ip.bits >> 112n === 0xff02n,
    )
    .registerFunction(`${I}.isLinkLocalUnicast(): bool`, (ip: IP) =>
      ip.v4 ? ip.bits >> 16n === 0xa9fen : ip.bits >> 118n === 0x3fan,
    )
    .registerFunction(`${I}.isGlobalUnicast(): bool`, isGlobalUnicast)
    .registerFunction(`string(${I}): string`, (ip: IP) => ip.toString())
    .registerFunction(`cidr(string): ${C}`, parseCIDR)
    .registerFunction('isCIDR(string): bool', (s: string) => succeeds(() => parseCIDR(s)))
    .registerFunction(`${C}.containsIP(string): bool`, (c: CIDR, s: string) => contains(c, parseIP(s)))
    .registerFunction(`${C}.containsIP(${I}): bool`, contains)
    .registerFunction(`${C}.containsCIDR(string): bool`, (c: CIDR, s: string) =>
      containsCidr(c, parseCIDR(s)),
    )
    .registerFunction(`${C}.containsCIDR(${C}): bool`, containsCidr)
    .registerFunction(`${C}.ip(): ${I}`, (c: CIDR) => c.ip)
    .registerFunction(`${C}.prefixLength(): int`, (c: CIDR) => BigInt(c.prefix))
    .registerFunction(
      `${C}.masked(): ${C}`,
      (c: CIDR) => new CIDR(new IP(c.ip.bits & mask(c.ip, c.prefix), c.ip.v4), c.prefix),
    )
    .registerFunction(`string(${C}): string`, (c: CIDR) => c.toString());
}

const containsCidr = (a: CIDR, b: CIDR): boolean => a.prefix <= b.prefix && contains(a, b.ip);
