/** The object `berth why` was asked about is not there: bad input (exit 2), said with where it looked. */
export class WhyNotFound extends Error {
  override readonly name = 'WhyNotFound';
  constructor(what: string, source: string) {
    super(`${what} not found in ${source}`);
  }
}
