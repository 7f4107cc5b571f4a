/** The CLI's edges, passed in so commands are testable without a process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): void;
  clock(): Date;
}

export const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  exit: (code) => {
    process.exitCode = code;
  },
  clock: () => new Date(),
};
