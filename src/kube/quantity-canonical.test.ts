import { describe, expect, it } from 'vitest';
import { canonicalQuantity } from './quantity-canonical.js';

// k8s.io/apimachinery/pkg/api/resource Quantity.String (CanonicalizeBytes); the first rows are what
// kube-apiserver printed back for Berth's validity corpus.
describe('canonicalQuantity', () => {
  it.each([
    ['-0.5Gi', '-512Mi'],
    ['-2.5', '-2500m'],
    ['1.5Gi', '1536Mi'],
    ['1025Mi', '1025Mi'],
    ['2', '2'],
    ['1000m', '1'],
    ['500m', '500m'],
    ['0.5', '500m'],
    ['1500', '1500'],
    ['1000', '1k'],
    ['1Ki', '1Ki'],
    ['1024', '1024'],
    ['512Ki', '512Ki'],
    ['1048576Ki', '1Gi'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
    ['1E6', '1e6'],
    ['0', '0'],
    ['-1', '-1'],
    ['100M', '100M'],
  ])('%s → %s', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });
});
