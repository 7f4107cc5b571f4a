/**
 * `--scheduler-config <file>` (plan, serve): the cluster's default topology spread constraints, or
 * bad input naming the file. Without the flag, none (kube-scheduler's System defaults only score).
 */
import { readFileSync } from 'node:fs';
import { readSchedulerConfig, type DefaultConstraint } from '../scheduling/scheduler-config.js';
import { BadInput } from './bad-input.js';

export function schedulerConfigFile(path: string | undefined): readonly DefaultConstraint[] {
  if (path === undefined) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BadInput([{ file: path, line: 0, col: 0, message: `cannot read: ${(e as Error).message}` }]);
  }
  const read = readSchedulerConfig(text);
  if (!read.ok) throw new BadInput([{ file: path, line: 0, col: 0, message: read.error }]);
  return read.constraints;
}
