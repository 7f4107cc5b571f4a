/**
 * Starting a worker thread on a module beside the caller: its compiled JavaScript, or (the tests run
 * the TypeScript sources) a bootstrap that registers tsx's loader in the thread and imports the source.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A thread running `./<name>.js` (or `.ts`) next to the module whose import.meta.url is `here`. */
export function spawnThread(here: string, name: string, options: WorkerOptions): Worker {
  const js = new URL(`./${name}.js`, here);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL(`./${name}.ts`, here).href;
  // The ES module of tsx's API, beside the CommonJS one that require resolves.
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/index\.cjs$/, 'index.mjs');
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** Linux keeps 15 bytes of a thread's name. */
const NAME_BYTES = 15;

/**
 * Names the calling thread for the OS, so that `top -H`, `ps -L` and /proc/<pid>/task/<tid>/comm
 * tell Berth's threads apart (Node names none of its worker threads). Linux only; elsewhere, or where
 * /proc is read-only, the thread keeps its name. True when the name was set.
 */
export function nameThisThread(
  name: string,
  write: (path: string, text: string) => void = (path, text) => {
    writeFileSync(path, text);
  },
): boolean {
  if (process.platform !== 'linux') return false;
  try {
    write('/proc/thread-self/comm', Buffer.from(name).subarray(0, NAME_BYTES).toString());
    return true;
  } catch {
    return false;
  }
}
