/** `berth nodeclass describe`: its flags; the work is loaded when it runs. */
import type { Command } from 'commander';
import type { CliIO } from '../../util/io.js';
import type { DescribeOpts } from '../nodeclass-describe.js';

export function registerNodeClass(program: Command, io: CliIO): void {
  const nodeclass = program
    .command('nodeclass')
    .description('EC2NodeClasses as Berth resolves and launches them');
  nodeclass
    .command('describe')
    .description(
      'resolve each EC2NodeClass in the files against AWS (or an emulator) and print its status and the launch ' +
        'template of each of its NodePools per architecture, user data decoded: what a node will boot with. ' +
        'Exit 0 every class Ready, 1 some class not Ready, 2 bad input',
    )
    .requiredOption(
      '-f, --file <path...>',
      'files or folders with EC2NodeClasses and the NodePools that use them',
    )
    .option('--cluster-name <name>', 'the EKS cluster nodes join', process.env.CLUSTER_NAME ?? 'berth')
    .option('--aws-region <region>', 'region (default: $AWS_REGION, else us-east-1)')
    .option('--aws-endpoint <url>', 'endpoint of EC2, SSM, IAM and EKS (e.g. a moto_server)')
    .option('--cluster-endpoint <url>', 'API server URL (default: EKS DescribeCluster)')
    .option('--cluster-ca-bundle <base64>', 'the cluster CA bundle (default: EKS DescribeCluster)')
    .option('--service-cidr <cidr>', 'the Service CIDR (default: EKS DescribeCluster)')
    .option('--kubernetes-version <x.y>', 'for AMI aliases (default: EKS DescribeCluster)')
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option('-o, --output <format>', 'json | yaml', 'json')
    .action(async (opts: DescribeOpts) => {
      await (await import('../nodeclass-describe.js')).describeAction(opts, io);
    });
}
