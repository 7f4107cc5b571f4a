/** DESIGN's WorkloadProfile example (§3): with `minAvailable: 80%` it cannot be drained; `2` can. */
export const designProfile = (name: string, minAvailable: string): string => `
apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: ${name}, namespace: payments }
spec:
  runtimeClass: general
  availability: { minReplicas: 3, zoneSpread: required }
  scaling: { maxReplicas: 50, maxBurstPods: 20 }
  compute: { cpuRequest: 500m, memoryRequest: 768Mi }
  disruption: { minAvailable: ${minAvailable} }
  cost: { spotAllowed: false }
`;
