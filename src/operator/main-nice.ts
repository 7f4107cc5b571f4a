/**
 * The main thread's priority in cluster mode (`berth serve --main-nice`). Three threads share Berth's
 * CPU: the scheduling gate's (its own port, answering every new pod's creation), the main thread (the
 * leader's duties, the watch caches and the main webhook) and the solver's (nice 10). In a burst the
 * gate's thread must not wait: a gate review the API server times out on (2 s) creates its pod
 * ungated, kube-scheduler places it wherever it fits, and pods pinned to that room are made again. On
 * kwok with the whole control plane on two cores, 1,000 pods of Karpenter's *basic* workload were
 * created at p50 0.84–2.78 s in three runs with the main thread at nice 0 (the gate's thread saturated
 * by TLS handshakes, up to 810 connections opened), and at p50 0.06–0.49 s (0.08 in four of six) in
 * six runs at nice 10
 * (docs/benchmarks.md). On Linux a nice value is a thread's own: the main thread lowers its own
 * priority the first time gates are on (a Berth provisioner leads with provisioner.schedulingGates,
 * whether its webhook or the API server's MutatingAdmissionPolicy gates: with the policy the gate's
 * thread idles, and the main thread's duties still yield to the processes beside it on a shared host),
 * and never before: admission alone (beside Karpenter, provisioning off) keeps every thread at the
 * process's priority. Threads the main thread starts after that inherit its nice value (the solver
 * sets its own). Raising a priority again needs CAP_SYS_NICE, so it stays lowered when gates go off,
 * and a gate thread started again after a crash keeps the main thread's nice value.
 */
import { setPriority } from 'node:os';
import type { Logger } from 'pino';

/**
 * The process's default: every thread at the process's priority. In a pod the main thread's nice value
 * only orders Berth's own threads, and deploy/ and the chart run `--main-nice=10` (as the solver's);
 * on a host shared with other processes in one cgroup (the e2e tier, a laptop) a nice main thread
 * would weigh against all of them.
 */
export const MAIN_NICE = 0;

/** What deploy/ and the chart run: below the gate's thread (0), as the solver's (10). */
export const POD_MAIN_NICE = 10;

/** `--main-nice`: a whole number from 0 to 19 (0: as the gate's thread). */
export function mainNice(v: string | undefined): number {
  if (v === undefined) return MAIN_NICE;
  const n = v.trim() === '' ? Number.NaN : Number(v);
  // A negative nice (a priority above the process's own) needs CAP_SYS_NICE.
  if (!Number.isInteger(n) || n < 0 || n > 19)
    throw new Error(`--main-nice must be a whole number from 0 to 19, got ${v}`);
  return n;
}

/**
 * Sets the calling thread's nice value (the main thread's, once the gate's thread is running). What
 * happened, for the log: undefined when there was nothing to do (0), else a sentence.
 */
export function lowerMainThread(
  nice: number,
  set: (priority: number) => void = (p) => {
    setPriority(p);
  },
): { ok: boolean; message: string } | undefined {
  if (nice === 0) return undefined;
  try {
    set(nice);
    return {
      ok: true,
      message: `main thread at nice ${String(nice)}: the scheduling gate's thread answers first when the CPU is short`,
    };
  } catch (e) {
    return {
      ok: false,
      message: `could not set the main thread's nice value to ${String(nice)} (${(e as Error).message}); every thread keeps the process's priority`,
    };
  }
}

/**
 * `on` (whether gates are on, asked from the main thread), lowering the main thread to `nice` the
 * first time it answers true, and logging what happened.
 */
export function yieldWhenOn(
  on: () => boolean,
  nice: number,
  logger: Pick<Logger, 'info' | 'warn'>,
  set?: (priority: number) => void,
): () => boolean {
  let done = false;
  return () => {
    const now = on();
    if (now && !done) {
      done = true;
      const lowered = lowerMainThread(nice, set);
      if (lowered?.ok === true) logger.info(lowered.message);
      else if (lowered) logger.warn(lowered.message);
    }
    return now;
  };
}
