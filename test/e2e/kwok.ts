/**
 * kwok itself (sigs.k8s.io/kwok, built by install-kwok.sh) against a control plane: it keeps the Nodes
 * annotated kwok.x-k8s.io/node=fake Ready and moves their pods through Running and Terminating, as
 * kubelets would. Its log goes to `<dir>/kwok.log`; the returned function stops it.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './control-plane.js';
import { stopProcess } from './harness.js';

export async function startKwok(
  kubeconfig: string,
  dir: string,
  kwokDir: string,
): Promise<() => Promise<void>> {
  const log = createWriteStream(join(dir, 'kwok.log'));
  const proc = spawn(
    join(kwokDir, 'kwok'),
    [
      `--kubeconfig=${kubeconfig}`,
      `--config=${join(kwokDir, 'stages.yaml')}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--cidr=10.0.0.1/16',
      '--node-ip=10.0.0.1',
      `--server-address=127.0.0.1:${await freePort()}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  return () => stopProcess(proc);
}
