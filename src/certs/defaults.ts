/** Certificate lifetimes (days) `berth certs` and `berth serve --local` use unless told otherwise. */
export const CERT_DEFAULTS = { caDays: 3650, servingDays: 365, renewBeforeDays: 30 } as const;
