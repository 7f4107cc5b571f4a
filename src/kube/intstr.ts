/** IntOrString values as Kubernetes scales them (apimachinery intstr.GetScaledValueFromIntOrPercent). */

export type IntOrString = number | string;

export interface Scaled {
  value: number;
  percent?: number;
}

/** Scales an int or "N%" against total; Kubernetes rounds percentages up for PDB budgets. */
export function scaleIntOrPercent(v: IntOrString, total: number, roundUp: boolean): Scaled | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? { value: v } : undefined;
  const match = /^(\d+)%$/.exec(v);
  if (match) {
    const percent = Number(match[1]);
    const exact = (percent * total) / 100;
    return { value: roundUp ? Math.ceil(exact) : Math.floor(exact), percent };
  }
  return /^\d+$/.test(v) ? { value: Number(v) } : undefined;
}
