/** bench:chaos's Service (bench/chaos/service.ts): every replica in turn, a dead one skipped, none refused. */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/e2e/control-plane.js';
import { LoopbackService } from '../bench/chaos/service.js';

const servers: Server[] = [];
async function replica(name: string): Promise<number> {
  const s = createServer((_, res) => res.end(name));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as { port: number }).port;
}
afterAll(() => {
  for (const s of servers) s.close();
});

const get = (port: number) =>
  fetch(`http://127.0.0.1:${String(port)}/`, { headers: { connection: 'close' } }).then((r) => r.text());

describe("bench:chaos's Service in front of the replicas", () => {
  it('hands connections to each replica in turn, skips one that refuses, and refuses when none is up', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const down = await freePort();
    const both = await LoopbackService.start(() => [a, b]);
    expect([await get(both.port), await get(both.port)].sort()).toEqual(['a', 'b']);
    const oneDown = await LoopbackService.start(() => [down, b]);
    expect([await get(oneDown.port), await get(oneDown.port)]).toEqual(['b', 'b']);
    const none = await LoopbackService.start(() => [down]);
    await expect(get(none.port)).rejects.toThrow();
    await Promise.all([both.stop(), oneDown.stop(), none.stop()]);
  });
});
