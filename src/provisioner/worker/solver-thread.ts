/**
 * The solver's thread: plans what the provisioner sends it, away from the event loop that answers
 * admission, within its own heap limit (set by PlanWorker). Catalogs are kept by id, the latest few.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { makeCatalog, type Catalog } from '../../catalog/catalog.js';
import { solve } from '../solver/solve.js';
import { SOLVER_NICE, SOLVER_THREAD_NAME } from './limits.js';
import { nameThisThread } from '../../util/thread.js';
import { offeringKey, rehydrateInput, type FromSolver, type ToSolver } from './wire.js';

const catalogs = new Map<number, Catalog>();
const KEPT = 4;

function answer(m: ToSolver): FromSolver | undefined {
  if (m.type === 'catalog') {
    catalogs.set(m.id, makeCatalog(m.origin.facts, m.origin.zones, m.origin.spotQuotes));
    for (const id of catalogs.keys()) if (catalogs.size > KEPT && id !== m.id) catalogs.delete(id);
    return undefined;
  }
  const catalog = catalogs.get(m.catalog);
  if (!catalog) return { type: 'error', id: m.id, message: `catalog ${m.catalog} was never sent` };
  rehydrateInput(m.input);
  const unavailable = new Set(m.input.unavailable);
  const plan = solve({
    ...m.input,
    catalog,
    unavailable: (t, z, c) => unavailable.has(offeringKey(t, z, c)),
  });
  return { type: 'plan', id: m.id, plan };
}

const port = parentPort;
if (port) {
  nameThisThread(SOLVER_THREAD_NAME);
  // On Linux a nice value is per thread: the solver yields the CPU to the thread that answers
  // admission (a busy node's webhook must not wait behind a plan). Not permitted everywhere: ignored.
  const nice = (workerData as { nice?: unknown } | null)?.nice;
  try {
    setPriority(typeof nice === 'number' ? nice : SOLVER_NICE);
  } catch {
    // keep the default priority
  }
  port.on('message', (m: ToSolver) => {
    let reply: FromSolver | undefined;
    try {
      reply = answer(m);
    } catch (e) {
      reply = { type: 'error', id: m.id, message: (e as Error).message };
    }
    if (reply) port.postMessage(reply);
  });
}
