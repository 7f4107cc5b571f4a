/**
 * Kubernetes' CEL libraries as Berth builds them, case by case from k8s.io/apiserver
 * pkg/cel/library's own tests (quantity_test.go, ip_test.go, cidr_test.go, urls, semver_test.go,
 * format_test.go, lists) and cel-go's ext tests (strings, sets, lists, two-variable comprehensions).
 */
import { describe, expect, it } from 'vitest';
import { kubernetesEnvironment } from './env.js';
import { routeMatches } from './regex.js';

const env = kubernetesEnvironment(['object']);
const run = (expr: string, object: unknown = {}): unknown => env.evaluate(routeMatches(expr), { object });
const ERR = Symbol('error');

const CASES: [string, unknown][] = [
  // quantity_test.go
  ['isQuantity("20")', true],
  ['isQuantity("20Mi")', true],
  ['isQuantity("20Mo")', false],
  ['isQuantity("10Mm")', false],
  ['quantity("200M") == quantity("200M")', true],
  ['quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")', true],
  ['quantity("200M") == quantity("0.3G")', false],
  ['quantity("50M").isLessThan(quantity("50Mi"))', true],
  ['quantity("50Mi").isGreaterThan(quantity("50M"))', true],
  ['quantity("200M").compareTo(quantity("0.2G"))', 0n],
  ['quantity("50M").compareTo(quantity("50Mi"))', -1n],
  ['quantity("50k").add(quantity("20")) == quantity("50.02k")', true],
  ['quantity("50k").sub(20) == quantity("49980")', true],
  ['quantity("50k").add(20).sub(quantity("100k")).asInteger()', -49980n],
  ['quantity("50k").asInteger()', 50000n],
  ['quantity("9999999999999999999999999999999999999G").asInteger()', ERR],
  ['quantity("50.5").isInteger()', false],
  ['quantity("50m").asApproximateFloat()', 0.05],
  ['sign(quantity("-50k"))', -1n],
  ['quantity("10Mo")', ERR],
  // ip_test.go, cidr_test.go
  ['isIP("192.168.0.1")', true],
  ['isIP("192.168.0.1.0")', false],
  ['ip.isCanonical("127.0.0.1")', true],
  ['ip.isCanonical("2001:db8:0:0:0:0:0:1")', false],
  ['ip("192.168.0.1").family()', 4n],
  ['ip("::1").family()', 6n],
  ['ip("0.0.0.0").isUnspecified()', true],
  ['ip("127.0.0.1").isLoopback()', true],
  ['ip("224.0.0.1").isLinkLocalMulticast()', true],
  ['ip("169.254.169.254").isLinkLocalUnicast()', true],
  ['ip("192.168.0.1").isGlobalUnicast()', true],
  ['string(ip("2001:db8::68"))', '2001:db8::68'],
  ['ip("::ffff:192.168.0.1")', ERR],
  ['ip("fe80::1%eth0")', ERR],
  ['ip("192.168.0.1") == ip("192.168.0.1")', true],
  ['cidr("192.168.0.0/24").containsIP(ip("192.168.0.1"))', true],
  ['cidr("192.168.0.0/24").containsIP("192.168.1.1")', false],
  ['cidr("192.168.0.0/24").containsCIDR(cidr("192.168.0.0/25"))', true],
  ['cidr("192.168.0.0/24").containsCIDR("192.168.0.0/23")', false],
  ['cidr("192.168.0.0/24").prefixLength()', 24n],
  ['string(cidr("192.168.0.1/24").masked())', '192.168.0.0/24'],
  ['string(cidr("192.168.0.1/24").ip())', '192.168.0.1'],
  ['isCIDR("192.168.0.0/")', false],
  // urls
  ['url("https://example.com:80/").getHost()', 'example.com:80'],
  ['url("https://[::1]:80/").getHostname()', '::1'],
  ['url("https://example.com:80/").getPort()', '80'],
  ['url("https://example.com/path").getEscapedPath()', '/path'],
  ['url("https://example.com/path?k1=a&k2=b&k2=c").getQuery()', { k1: ['a'], k2: ['b', 'c'] }],
  ['isURL("https://example.com")', true],
  ['isURL("example.com")', false],
  ['url("/path").getScheme()', ''],
  // semver_test.go
  ['isSemver("1.0.0")', true],
  ['isSemver("v1.0")', false],
  ['isSemver("v1.0", true)', true],
  ['semver("1.2.3").major()', 1n],
  ['semver("1.2.3-alpha").isLessThan(semver("1.2.3"))', true],
  ['semver("1.10.0").isGreaterThan(semver("1.9.9"))', true],
  ['semver("1.2.3").compareTo(semver("1.2.3"))', 0n],
  ['semver("01.2.3")', ERR],
  // format_test.go
  ['format.dns1123Label().validate("my-label-name")', undefined],
  [
    'format.dns1123Label().validate("contains a space").value()',
    [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
  ['format.named("dns1123Subdomain").value().validate("apiextensions.k8s.io").hasValue()', false],
  ['format.named("unknown").hasValue()', false],
  ['format.uuid().validate("123e4567-e89b-12d3-a456-426614174000").hasValue()', false],
  ['format.date().validate("2024-02-30").hasValue()', true],
  // regex (library/regex.go) and RE2 syntax
  ['"abc 123".find("[0-9]+")', '123'],
  ['"abc 123".find("xyz")', ''],
  ['"123 abc 456".findAll("[0-9]+")', ['123', '456']],
  ['"123 abc 456".findAll("[0-9]+", 1)', ['123']],
  ['"ABC".matches("(?i)^abc$")', true],
  ['"a".matches("(?=a)")', ERR],
  // Kubernetes' lists library and cel-go ext.Lists v3
  ['[1, 2, 3].isSorted()', true],
  ['[3, 1].isSorted()', false],
  ['[1, 2, 3].sum()', 6n],
  ['[1.5, 2.5].sum()', 4.0],
  ['[].sum()', 0n],
  ['[2, 7, 1].max()', 7n],
  ['["b", "a"].min()', 'a'],
  ['[1, 2, 2, 3].indexOf(2)', 1n],
  ['[1, 2, 2, 3].lastIndexOf(2)', 2n],
  ['[1, 2, 3, 4].slice(1, 3)', [2n, 3n]],
  ['[[1], [2, 3]].flatten()', [1n, 2n, 3n]],
  ['[1, 2, 1].distinct()', [1n, 2n]],
  ['[1, 2, 3].reverse()', [3n, 2n, 1n]],
  ['[3, 1, 2].sort()', [1n, 2n, 3n]],
  ['lists.range(3)', [0n, 1n, 2n]],
  ['[7].first().value()', 7n],
  ['[].last().hasValue()', false],
  // ext.Sets
  ['sets.contains([1, 2, 3], [2, 3])', true],
  ['sets.equivalent([1, 2], [2, 1, 1])', true],
  ['sets.intersects([1], [2])', false],
  // ext.Strings v2
  ['"hello".charAt(1)', 'e'],
  ['"hello".charAt(5)', ''],
  ['"hello".charAt(6)', ERR],
  ['"a-b-c".replace("-", "+")', 'a+b+c'],
  ['"a-b-c".replace("-", "+", 1)', 'a+b-c'],
  ['strings.quote("a\\"b")', '"a\\"b"'],
  ['"%s=%s".format(["x", "y"])', 'x=y'],
  ['"%d items (%.2f)".format([3, 1.5])', ERR],
  ['"%.2f".format([1.5])', '1.50'],
  ['"%d items".format([3])', '3 items'],
  ['"%x".format([255])', 'ff'],
  ['"%.0f".format([2.5])', '2'],
  // two-variable comprehensions (cel-go ext.TwoVarComprehensions)
  ['[10, 20].all(i, v, v == (i + 1) * 10)', true],
  ['{"a": 1, "b": 2}.exists(k, v, k == "b" && v == 2)', true],
  ['[1, 2, 3].existsOne(i, v, v > 2)', true],
  ['[1, 2, 3].transformList(i, v, i > 0, v * 10)', [20n, 30n]],
  ['{"a": 1}.transformMap(k, v, v + 1)', { a: 2n }],
  ['[1, 2].transformMapEntry(i, v, {string(v): i})', { '1': 0n, '2': 1n }],
  // cel-go OptionalTypes beyond the evaluator's own
  ['optional.ofNonZeroValue("").hasValue()', false],
  ['optional.ofNonZeroValue([1]).value()', [1n]],
  ['optional.of(41).optMap(x, x + 1).value()', 42n],
  ['optional.none().optMap(x, x + 1).hasValue()', false],
  ['object.?spec.optFlatMap(s, s.?replicas).value()', 3n],
  ['optional.of(1) == optional.of(1) && optional.none() != optional.of(1)', true],
  // objects as kube-apiserver hands them over: whole numbers are ints
  ['object.spec.replicas == 3 && object.spec.replicas > 2.5', true],
  ['object.?spec.?paused.orValue(false)', false],
  ['object.spec.missing', ERR],
];

describe('Kubernetes CEL libraries', () => {
  it.each(CASES)('%s', (expr, want) => {
    const object = { spec: { replicas: 3n } };
    if (want === ERR) {
      expect(() => run(expr, object)).toThrow();
      return;
    }
    const got = run(expr, object);
    if (want === undefined) expect((got as { hasValue(): boolean }).hasValue()).toBe(false);
    else expect(got).toEqual(want);
  });
});
