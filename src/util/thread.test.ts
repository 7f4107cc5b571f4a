import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nameThisThread } from './thread.js';

describe('nameThisThread', () => {
  it.each([
    ['berth-gate', 'berth-gate'],
    ['berth-solver-thread', 'berth-solver-th'],
  ])('writes %s as %s (Linux keeps 15 bytes)', (name, written) => {
    const writes: [string, string][] = [];
    const ok = nameThisThread(name, (path, text) => writes.push([path, text]));
    expect(ok).toBe(process.platform === 'linux');
    if (ok) expect(writes).toEqual([['/proc/thread-self/comm', written]]);
  });

  it('leaves the name when /proc cannot be written', () => {
    const ok = nameThisThread('berth-gate', () => {
      throw new Error('EACCES');
    });
    expect(ok).toBe(false);
  });

  it.runIf(process.platform === 'linux')("sets the calling thread's name", () => {
    const before = readFileSync('/proc/thread-self/comm', 'utf8');
    try {
      expect(nameThisThread('berth-test')).toBe(true);
      expect(readFileSync('/proc/thread-self/comm', 'utf8').trim()).toBe('berth-test');
    } finally {
      nameThisThread(before.trim());
    }
  });
});
