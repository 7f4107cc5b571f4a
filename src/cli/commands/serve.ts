/** `berth serve`: its flags; the webhook, the caches and the cloud are loaded when it runs. */
import type { Command } from 'commander';
import type { CliIO } from '../../util/io.js';
import type { ServeOpts } from '../../operator/options.js';
import { SOLVER_HEAP_MIB, SOLVER_NICE } from '../../provisioner/worker/limits.js';
import { MAIN_NICE } from '../../operator/main-nice.js';

export function registerServe(program: Command, io: CliIO): void {
  program
    .command('serve')
    .description(
      'serve the admission webhook over HTTPS (/mutate, /validate, /gate, /healthz, /readyz) and metrics over HTTP; ' +
        'in a cluster the Lease holder also runs the profile controller, the background scan that writes ' +
        'PolicyReports and, with provisioner.mode: berth, disruption (consolidation, drift, expiration) and ' +
        'the provisioner (waiting pods and admitted workloads → nodes on --cloud). --local serves from files, ' +
        'no cluster needed, and provisions on the simulated cloud in memory. Plans are computed on a solver ' +
        'thread, never on the event loop that answers admission',
    )
    .option('--local', 'no cluster: profiles, PDBs, HPAs and workloads come from -f files')
    .option(
      '-f, --file <path...>',
      'with --local: the objects of the cluster view, admitted as berth check admits them (compiled, with generated PDBs)',
    )
    .option('--host <address>', 'listen address (default 127.0.0.1 with --local, else 0.0.0.0)')
    .option('--port <n>', 'HTTPS port', '8443')
    .option('--metrics-port <n>', 'HTTP port for /metrics', '9090')
    .option(
      '--gate-port <n>',
      "cluster mode: also answer /gate (the scheduling gate's webhook) over HTTPS on this port, from a thread of its own, so that creating pods never waits on the leader's work (deploy/ points gate.berth.dev here)",
    )
    .option(
      '--tls-dir <dir>',
      'folder with tls.crt and tls.key, reloaded when they change (default: ./tls with --local, made there on first use; /etc/berth/tls in a cluster)',
    )
    .option(
      '--tls-secret <name>',
      "cluster mode: the Secret (in --namespace) holding the serving certificate and its CA; Berth issues it when missing and renews it 30 days before expiry, and copies the pair into --tls-dir (the chart's way: nothing the pod mounts waits on a hook)",
    )
    .option('--cert-manager', 'with --tls-secret: cert-manager writes that Secret; Berth only reads it')
    .option(
      '--service <name>',
      "the Service the API server reaches Berth through (the certificate's DNS names)",
      'berth',
    )
    .option(
      '--webhooks <file>',
      "cluster mode: register these webhook configurations (a manifest: deploy/'s berth-webhooks ConfigMap) once this replica is ready, with the certificate's CA bundle; the scheduling gate only in provisioner.mode berth",
    )
    .option(
      '--webhook-owner <clusterrole>',
      'with --webhooks: owner of the registered configurations, so that deleting this ClusterRole (helm uninstall, kubectl delete -k) removes them',
    )
    .option(
      '--webhook-host <host>',
      "with --webhooks: register each webhook as https://HOST:PORT/path instead of the Service (Berth off the cluster's network: a laptop, a test's control plane); with --tls-secret the certificate names HOST too",
    )
    .option(
      '--shutdown-delay <seconds>',
      'on SIGTERM, fail /readyz and go on answering for this long, each connection closed after its answer, before the servers close (the chart runs 15: the time for the endpoint to be removed)',
      '0',
    )
    .option('--policies <file>', 'policies.yaml, reloaded when it changes (default: the embedded one)')
    .option(
      '--nodepools <path...>',
      'NodePool files or folders (default: the cluster in cluster mode, deploy/nodepools with --local)',
    )
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option(
      '--prices <file>',
      "the region's on-demand prices (aws pricing get-products output; docs/operations/regions.md): without it, outside us-east-1, us-east-1's list prices stand in",
    )
    .option(
      '--kubeconfig <file>',
      'cluster mode: kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--namespace <ns>', "cluster mode: Berth's own namespace (its Lease)", 'berth-system')
    .option('--identity <name>', 'cluster mode: Lease holder identity (default: $POD_NAME or the hostname)')
    .option(
      '--deadline-ms <n>',
      "answer within this; keep it below the webhook configurations' timeoutSeconds",
      '4000',
    )
    .option(
      '--fail-open',
      'a review Berth cannot finish in time is allowed (match failurePolicy: Ignore); default denies (Fail)',
    )
    .option(
      '--cloud <provider>',
      'aws, simulated or kwok (default: provisioner.cloudProvider in policies.yaml; --local: simulated); kwok: the simulated cloud whose Nodes a kwok controller (--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake) makes Ready and runs pods on',
    )
    .option(
      '--kwok-registration-delay <seconds>',
      'kwok: how long after a launch its Node registers, as an EC2 instance takes to boot and join (default 0)',
    )
    .option(
      '--kwok-faults <file>',
      'kwok or simulated: a JSON file of faults, read again whenever it changes: {"unavailable": [{"instanceType", "zone", "capacityType"}], "launchSeconds": N} — launches of those offerings fail for lack of capacity, each launch answers after N seconds (fault tests; write it by rename)',
    )
    .option(
      '--cluster-name <name>',
      'aws: the EKS cluster nodes join (bootstrap user data) and whose instances Berth tags',
      process.env.CLUSTER_NAME ?? 'berth',
    )
    .option('--aws-region <region>', "aws: region (default: $AWS_REGION, else the catalog's)")
    .option(
      '--aws-endpoint <url>',
      'aws: endpoint of EC2, SSM, IAM, EKS and SQS (e.g. a moto_server for tests)',
    )
    .option('--cluster-endpoint <url>', 'aws: API server URL nodes join (default: EKS DescribeCluster)')
    .option(
      '--cluster-ca-bundle <base64>',
      "aws: the cluster's CA bundle, base64 (default: EKS DescribeCluster)",
    )
    .option('--service-cidr <cidr>', "aws: the cluster's Service CIDR (default: EKS DescribeCluster)")
    .option(
      '--kubernetes-version <x.y>',
      'aws: picks the AMI an alias (al2023@latest) names (default: EKS DescribeCluster)',
    )
    .option(
      '--interruption-queue <name>',
      'the SQS queue EventBridge fills with spot interruptions, rebalance recommendations, scheduled changes and instance state changes (aws; with kwok or simulated, events naming their instances, e.g. sent to a moto_server at --aws-endpoint)',
    )
    .option(
      '--scheduler-config <file>',
      "cluster mode: the cluster's default topology spread constraints, planned for pods that declare none as kube-scheduler applies them (Karpenter v1.15's --scheduler-config document, or a KubeSchedulerConfiguration with PodTopologySpread defaultingType List; default: $SCHEDULER_CONFIG_FILE, else none)",
    )
    .option(
      '--node-join-timeout <seconds>',
      'an instance whose Node has not joined after this is terminated',
      '900',
    )
    .option(
      '--solver-heap-mb <n>',
      "the provisioner's solver thread: its heap limit (a round past it fails alone; admission goes on)",
      String(SOLVER_HEAP_MIB),
    )
    .option(
      '--scheduling-gate <how>',
      'cluster mode: how new pods are gated while a Berth provisioner leads with provisioner.schedulingGates: auto (the MutatingAdmissionPolicy berth-scheduling-gate where the API server serves v1, Kubernetes 1.36+, and the install brings it; else the gate webhook), policy or webhook',
      'auto',
    )
    .option(
      '--no-http2',
      'serve the webhooks over HTTP/1.1 only (default: HTTP/2 too, over ALPN, which kube-apiserver takes: one connection, every review a stream on it)',
    )
    .option(
      '--solver-nice <n>',
      "the solver thread's nice value, 0–19: above admission's thread (0), so admission goes first when the container's CPU is short (not below --main-nice's, which the thread starts with)",
      String(SOLVER_NICE),
    )
    .option(
      '--main-nice <n>',
      "cluster mode: the main thread's nice value once gates are on, 0–19 (leader duties, caches, /mutate and /validate): above 0, the scheduling gate's thread answers a burst's pod creations first when the CPU is short (deploy/ runs 10; in one cgroup shared with other processes it weighs against them too)",
      String(MAIN_NICE),
    )
    .option(
      '--report-resync <seconds>',
      'cluster mode: re-judge every object for the PolicyReports this often (changes are judged as they come)',
      '600',
    )
    .option(
      '--disruption-delay <seconds>',
      'cluster mode: between a disruption decision and the check that it still holds, before any replacement is launched or pod evicted',
      '15',
    )
    .option('--no-reports', 'cluster mode: write no PolicyReports (the background scan does not run)')
    .option(
      '--take-over-from-karpenter',
      'provisioner.mode: berth: provision and disrupt even while a Karpenter controller is seen running (its Lease or Deployment); by default Berth refuses, says so (log, Event, berth_provisioner_blocked) and keeps serving admission',
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .option(
      '--log-format <format>',
      'json (one line per decision, for machines) or text (for a person)',
      'json',
    )
    .action(async (opts: ServeOpts) => {
      await (await import('../../operator/operator.js')).runOperator(opts, io);
    });
}
