/**
 * Berth's logger: pino JSON lines on stdout, one per decision and event.
 *
 * Lines are gathered for one turn of the event loop and written together, synchronously (sonic-boom
 * in sync mode): one write(2) per turn instead of one per line. Under admission load a turn answers
 * many reviews, and a syscall per line cost more than the engine did (bench:webhook). sonic-boom's
 * own asynchronous mode was no better: it re-flattens its pending buffer on every append (~8 KiB of
 * garbage per line). A batch is written when the turn ends, when it passes 64 KiB, and on exit, so
 * only a hard kill can lose the lines of the current turn.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export interface LineSink {
  write(text: string): unknown;
}

export class TurnBatchedSink implements DestinationStream {
  private pending: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private readonly flushNow = (): void => {
    this.flush();
  };

  constructor(
    private readonly sink: LineSink,
    private readonly maxBytes = 64 * 1024,
  ) {}

  write(line: string): void {
    this.pending.push(line);
    this.bytes += line.length;
    if (this.bytes >= this.maxBytes) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Writes what is pending, at once (pino's `logger.flush(cb)` calls this with a callback). */
  flush(done?: (err?: Error) => void): void {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const text = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
      this.pending = [];
      this.bytes = 0;
      this.sink.write(text);
    }
    done?.();
  }
}

const open = new Set<TurnBatchedSink>();
let exitHook = false;

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One JSON log line as a person reads it: `15:04:05.123 INFO  [provisioner] provisioner round pods=6`
 * (time in UTC, the level, the component, the message, then the other fields as key=value).
 */
export function textLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, component, ...rest } = o;
  delete rest.name;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const lvl = (LEVELS[Number(level)] ?? String(level)).padEnd(5);
  const comp = typeof component === 'string' ? ` [${component}]` : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${at} ${lvl}${comp} ${typeof msg === 'string' ? msg : ''}${fields === '' ? '' : ` ${fields}`}\n`;
}

export type LogFormat = 'json' | 'text';

export function parseLogFormat(v: string | undefined): LogFormat {
  if (v === undefined || v === 'json' || v === 'text') return v ?? 'json';
  throw new Error(`--log-format must be json or text, got ${v}`);
}

/**
 * A logger writing to a file descriptor or path (default: stdout), batched per event-loop turn; JSON
 * lines for machines, or `text` for a person at a terminal. Child loggers name their `component`.
 */
export function createLogger(level: string, dest: number | string = 1, format: LogFormat = 'json'): Logger {
  const out = pino.destination({ dest, sync: true });
  const sink = new TurnBatchedSink(
    format === 'text'
      ? { write: (t: string) => out.write(t.split('\n').filter(Boolean).map(textLine).join('')) }
      : out,
  );
  open.add(sink);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const s of open) s.flush();
    });
  }
  return pino({ level, name: 'berth' }, sink);
}
