/**
 * The room each Node has left for pods pinned to it (kube/pod-pins.ts), as the gates lift them. A
 * round plans from a snapshot of the caches, and the pods let through pinned to a Node since (by a
 * Node's join, or by another round) are not in it: two lifts can pin different pods of one workload
 * into the same room, and one of them then waits until it is made again. So each lift takes its room
 * from this ledger first — the pods bound to the Node or pinned to it, and the pins under way — and a
 * pod whose room is gone stays gated for the next round. Pure.
 */
import { addInto, fitsWith, ZERO, type Res } from '../solver/resources.js';

export class PinRoom {
  private readonly used = new Map<string, Res>();

  /** `allocatable`: a Node's allocatable by name (undefined: no such Node; nothing fits). */
  constructor(private readonly allocatable: (node: string) => Res | undefined) {}

  /** Counts a pod bound or pinned to `node`, or being pinned there. */
  add(node: string, requests: Readonly<Res>): void {
    const u = this.used.get(node);
    if (u) addInto(u, requests);
    else this.used.set(node, { ...requests });
  }

  /** Takes room for a pod on `node` if it fits beside what is counted there; whether it did. */
  take(node: string, requests: Readonly<Res>): boolean {
    const cap = this.allocatable(node);
    if (!cap || !fitsWith(cap, this.used.get(node) ?? ZERO, requests)) return false;
    this.add(node, requests);
    return true;
  }
}
