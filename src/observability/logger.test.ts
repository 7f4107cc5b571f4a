import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseLogFormat, textLine, TurnBatchedSink } from './logger.js';

function recorder() {
  const writes: string[] = [];
  return { writes, sink: { write: (t: string) => writes.push(t) } };
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turn-batched log sink', () => {
  it('writes the lines of one event-loop turn in one write, in order', async () => {
    const { writes, sink } = recorder();
    const batched = new TurnBatchedSink(sink);
    batched.write('a\n');
    batched.write('b\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\n']);
    batched.write('c\n');
    await turn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once past its size bound, and on flush', () => {
    const { writes, sink } = recorder();
    const batched = new TurnBatchedSink(sink, 10);
    batched.write('12345\n');
    batched.write('67890\n');
    expect(writes).toEqual(['12345\n67890\n']);
    batched.write('x\n');
    batched.flush();
    batched.flush();
    expect(writes).toEqual(['12345\n67890\n', 'x\n']);
  });

  it("answers pino's flush callback with the lines written", () => {
    const { writes, sink } = recorder();
    const logger = pino({}, new TurnBatchedSink(sink));
    logger.info('one');
    let flushed = false;
    logger.flush(() => (flushed = true));
    expect(flushed).toBe(true);
    expect(writes.join('')).toContain('"msg":"one"');
  });

  it('carries pino lines intact', async () => {
    const { writes, sink } = recorder();
    const logger = pino({ base: { component: 'berth' } }, new TurnBatchedSink(sink));
    logger.info({ uid: 'u1' }, 'decision');
    logger.warn({ uid: 'u2' }, 'decision');
    await turn();
    const lines = writes
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { uid: string; level: number });
    expect(lines.map((l) => [l.uid, l.level])).toEqual([
      ['u1', 30],
      ['u2', 40],
    ]);
  });
});

describe('log lines for a person (--log-format text)', () => {
  it('prints time, level, component, message and the other fields', () => {
    const line = textLine(
      JSON.stringify({
        level: 40,
        time: Date.UTC(2026, 10, 23, 15, 4, 5, 123),
        name: 'berth',
        component: 'provisioner',
        msg: 'pods no NodePool can take',
        count: 6,
        pool: 'berth general',
      }),
    );
    expect(line).toBe(
      '15:04:05.123 WARN  [provisioner] pods no NodePool can take count=6 pool="berth general"\n',
    );
  });

  it('names the component once on a child logger line', () => {
    const lines: string[] = [];
    const logger = pino({ name: 'berth' }, { write: (l: string) => lines.push(l) });
    logger.child({ component: 'disruption' }).info('disruption leading');
    expect(lines[0]?.match(/"component"/g)).toHaveLength(1);
    expect(parseLogFormat(undefined)).toBe('json');
    expect(() => parseLogFormat('xml')).toThrow(/json or text/);
  });
});
