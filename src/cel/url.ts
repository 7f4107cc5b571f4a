/**
 * Kubernetes' URL library (k8s.io/apiserver pkg/cel/library/urls.go) over Go's url.ParseRequestURI
 * and url.Parse: `url(s)`, `isURL(s)`, getScheme, getHost, getHostname, getPort, getEscapedPath,
 * getQuery. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

export class URLValue {
  static readonly celType = 'kubernetes.URL';
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly path: string,
    readonly rawQuery: string,
  ) {}
  compareTo(o: unknown): number {
    return o instanceof URLValue && JSON.stringify(o) === JSON.stringify(this) ? 0 : 1;
  }
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** url.ParseRequestURI's verdict: undefined, or its error text. */
export function urlProblem(s: string): string | undefined {
  const parsed = parse(s);
  return typeof parsed === 'string' ? parsed : undefined;
}

const hasControl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

function parse(raw: string): URLValue | string {
  const err = (why: string): string => `parse ${JSON.stringify(raw)}: ${why}`;
  if (raw === '') return err('empty url');
  if (hasControl(raw)) return err('net/url: invalid control character in URL');
  const q = raw.indexOf('?');
  const rest = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  if (rest.startsWith('/')) return pathOnly('', rest, rawQuery, err);
  const colon = rest.indexOf(':');
  if (colon <= 0) return err('invalid URI for request');
  const scheme = rest.slice(0, colon);
  if (!SCHEME.test(scheme)) return err('first path segment in URL cannot contain colon');
  const after = rest.slice(colon + 1);
  if (!after.startsWith('/')) return err('invalid URI for request');
  if (!after.startsWith('//')) return pathOnly(scheme.toLowerCase(), after, rawQuery, err);
  return withAuthority(scheme.toLowerCase(), after.slice(2), rawQuery, err);
}

function withAuthority(
  scheme: string,
  authority: string,
  rawQuery: string,
  err: (w: string) => string,
): URLValue | string {
  const slash = authority.indexOf('/');
  const hostPart = slash < 0 ? authority : authority.slice(0, slash);
  const path = slash < 0 ? '' : authority.slice(slash);
  const host = hostPart.includes('@') ? hostPart.slice(hostPart.lastIndexOf('@') + 1) : hostPart;
  if (host.startsWith('[') && !host.includes(']')) return err("missing ']' in host");
  const tail = host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host;
  if (tail.includes(':') && !/:(\d*)$/.test(tail))
    return err(`invalid port ${JSON.stringify(tail.slice(tail.lastIndexOf(':')))} after host`);
  return new URLValue(scheme, host, path, rawQuery);
}

function pathOnly(
  scheme: string,
  path: string,
  rawQuery: string,
  err: (w: string) => string,
): URLValue | string {
  if (/%(?![0-9a-fA-F]{2})/.test(path))
    return err(`invalid URL escape ${JSON.stringify(/%.{0,2}/.exec(path)?.[0] ?? '%')}`);
  return new URLValue(scheme, '', path, rawQuery);
}

export function parseURL(s: string): URLValue {
  const u = parse(s);
  if (typeof u === 'string') throw new Error(`URL parse error during conversion from string: ${u}`);
  return u;
}

const hostname = (u: URLValue): string => {
  const h = u.host;
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const c = h.lastIndexOf(':');
  return c < 0 ? h : h.slice(0, c);
};
const port = (u: URLValue): string => {
  const h = u.host.startsWith('[') ? u.host.slice(u.host.indexOf(']') + 1) : u.host;
  const c = h.lastIndexOf(':');
  return c < 0 ? '' : h.slice(c + 1);
};

function query(u: URLValue): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of u.rawQuery.split(/&/)) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const dec = (s: string): string | undefined => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const k = dec(eq < 0 ? part : part.slice(0, eq));
    const v = dec(eq < 0 ? '' : part.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    (out[k] ??= []).push(v);
  }
  return out;
}

export function registerURL(env: Environment): Environment {
  const T = URLValue.celType;
  return env
    .registerType(T, URLValue)
    .registerFunction(`url(string): ${T}`, parseURL)
    .registerFunction('isURL(string): bool', (s: string) => urlProblem(s) === undefined)
    .registerFunction(`${T}.getScheme(): string`, (u: URLValue) => u.scheme)
    .registerFunction(`${T}.getHost(): string`, (u: URLValue) => u.host)
    .registerFunction(`${T}.getHostname(): string`, hostname)
    .registerFunction(`${T}.getPort(): string`, port)
    .registerFunction(`${T}.getEscapedPath(): string`, (u: URLValue) => u.path)
    .registerFunction(`${T}.getQuery(): map<string, list<string>>`, query);
}
