/** The user data a node of a family boots with: nodeadm MIME (AL2023), TOML (Bottlerocket), or as given (Custom). */
import type { AmiFamily } from '../spec.js';
import { bottlerocketUserData } from './bottlerocket.js';
import { al2023UserData } from './nodeadm.js';
import type { BootstrapOptions } from './options.js';

export type { BootstrapOptions, ClusterInfo } from './options.js';
export { UserDataError } from './mime.js';

export function userDataFor(family: AmiFamily, o: BootstrapOptions): string {
  if (family === 'AL2023') return al2023UserData(o);
  if (family === 'Bottlerocket') return bottlerocketUserData(o);
  return o.userData ?? '';
}
