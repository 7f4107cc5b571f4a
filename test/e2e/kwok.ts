/**
 * kwok itself (sigs.k8s.io/kwok, built by install-kwok.sh) against a control plane: it keeps the Nodes
 * annotated kwok.x-k8s.io/node=fake Ready and moves their pods through Running and Terminating, as
 * kubelets would. Its log goes to `<dir>/kwok.log`; the returned function stops it.
 *
 * kwok plays a stage on 4 pods and 4 Nodes at a time by default, for the whole cluster. A kubelet
 * starts its own pods whatever the others do: with 4 lanes at an API server's 200–300 ms under a
 * 1,000-pod scale-out, pods waited 15–20 s after binding to be Running (on either provisioner's
 * side). The options below give it 32 and 16 lanes.
 *
 * Beside it runs ./kwok-nudge.ts, for the pods kwok v0.8.0 misses when they bind as their Node appears.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnLogged } from './control-plane.js';
import { stopProcess } from './harness.js';
import { startKwokNudge } from './kwok-nudge.js';

export async function startKwok(
  kubeconfig: string,
  dir: string,
  kwokDir: string,
): Promise<() => Promise<void>> {
  const logPath = join(dir, 'kwok.log');
  const options = join(dir, 'kwok-options.yaml');
  writeFileSync(
    options,
    [
      'apiVersion: config.kwok.x-k8s.io/v1alpha1',
      'kind: KwokConfiguration',
      'options:',
      '  podPlayStageParallelism: 32',
      '  nodePlayStageParallelism: 16',
      '',
    ].join('\n'),
  );
  const proc = spawnLogged(
    join(kwokDir, 'kwok'),
    [
      `--kubeconfig=${kubeconfig}`,
      `--config=${join(kwokDir, 'stages.yaml')}`,
      `--config=${options}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--cidr=10.0.0.1/16',
      '--node-ip=10.0.0.1',
      `--server-address=127.0.0.1:${await freePort()}`,
    ],
    logPath,
  );
  // The nudge appends to the same file.
  const log = createWriteStream(logPath, { flags: 'a' });
  const stopNudge = startKwokNudge(kubeconfig, log);
  return () => {
    stopNudge();
    return stopProcess(proc);
  };
}
