/**
 * Berth's logger: pino JSON lines on stdout, one per decision and event. Writes are synchronous, one
 * write(2) per line: nothing is lost when the process exits, and no buffer of pending lines is copied
 * on every append (sonic-boom's asynchronous mode re-flattens its buffer per line, which cost ~8 KiB
 * of garbage per admission review in bench:webhook).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { component: 'berth' } },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
