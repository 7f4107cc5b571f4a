/**
 * Kubernetes' format library (k8s.io/apiserver pkg/cel/library/format.go): `format.<name>()` and
 * `format.named(name)` give a format; `<format>.validate(s)` is none when s is valid, else the
 * validator's messages. Pure.
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import {
  labelNameProblems,
  labelValueProblem,
  qualifiedNameProblem,
  subdomainProblem,
} from '../kube/names.js';
import { registerNamespace } from './namespace.js';
import { urlProblem } from './url.js';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

const dns1035 = (s: string): string[] => {
  const out: string[] = [];
  if (s.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035.test(s)) out.push(DNS1035_MSG);
  return out;
};
const one = (p: string | undefined): string[] => (p === undefined ? [] : [p]);
/** maskTrailingDash: a prefix may end in '-' (generateName). */
const prefixed =
  (f: (s: string) => string[]) =>
  (s: string): string[] =>
    f(s.length > 1 && s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
const validDate = (s: string): boolean => {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export class Format {
  static readonly celType = 'kubernetes.NamedFormat';
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
}

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label: labelNameProblems,
  dns1123Subdomain: (s) => one(subdomainProblem(s)),
  dns1035Label: dns1035,
  qualifiedName: (s) => one(qualifiedNameProblem(s)),
  dns1123LabelPrefix: prefixed(labelNameProblems),
  dns1123SubdomainPrefix: prefixed((s) => one(subdomainProblem(s))),
  dns1035LabelPrefix: prefixed(dns1035),
  labelValue: (s) => one(labelValueProblem(s)),
  uri: (s) => one(urlProblem(s)),
  uuid: (s) => (UUID.test(s) ? [] : ['does not match the UUID format']),
  byte: (s) => (BASE64.test(s) ? [] : ['invalid base64']),
  date: (s) => (validDate(s) ? [] : ['invalid date']),
  datetime: (s) =>
    DATETIME.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))) ? [] : ['invalid datetime'],
};

export function registerFormat(env: Environment): Environment {
  const T = Format.celType;
  let out = registerNamespace(env.registerType(T, Format), 'FormatNamespace', 'format')
    .registerFunction(`FormatNamespace.named(string): optional<${T}>`, (_: unknown, name: string) => {
      const f = FORMATS[name];
      return f ? Optional.of(new Format(name, f)) : Optional.none();
    })
    .registerFunction(`${T}.validate(string): optional<list<string>>`, (f: Format, s: string) => {
      const problems = f.validate(s);
      return problems.length === 0 ? Optional.none() : Optional.of(problems);
    });
  for (const [name, f] of Object.entries(FORMATS))
    out = out.registerFunction(`FormatNamespace.${name}(): ${T}`, () => new Format(name, f));
  return out;
}
