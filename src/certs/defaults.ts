/** Certificate lifetimes (days) `berth certs` and `berth serve --local` use unless told otherwise. */
export const CERT_DEFAULTS = { caDays: 3650, servingDays: 365, renewBeforeDays: 30 } as const;

/** The names a Service is reached by from the API server (the serving certificate's DNS names). */
export function serviceNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}
