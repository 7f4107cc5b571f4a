/** The edges of a command or of the server: output, exit code and clock, passed in so both are testable without a process. */
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
