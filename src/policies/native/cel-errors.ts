/**
 * Evaluation errors in cel-go's words, which kube-apiserver puts in its messages ("expression 'x'
 * resulted in error: no such key: y"): the evaluator's own texts for the common runtime errors are
 * mapped to cel-go's. Pure.
 */
const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^No such key: (.*)$/, (m) => `no such key: ${m[1] ?? ''}`],
  [/^no such overload\b.*$/i, () => 'no such overload'],
  [/^found no matching overload for .*$/, () => 'no such overload'],
  [/^division by zero$/i, () => 'division by zero'],
  [/^modulus by zero$/i, () => 'modulus by zero'],
  [/^integer overflow$/i, () => 'integer overflow'],
  [/^Index out of range: (-?\d+)$/i, (m) => `index out of range: ${m[1] ?? ''}`],
];

export function celErrorText(e: unknown): string {
  const raw = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  for (const [re, to] of RULES) {
    const m = re.exec(raw);
    if (m) return to(m);
  }
  return raw;
}
