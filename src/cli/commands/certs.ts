/** `berth certs`: its flags; node-forge and the cluster client are loaded when it runs. */
import type { Command } from 'commander';
import { CERT_DEFAULTS } from '../../certs/defaults.js';
import type { CertsOpts } from '../certs-run.js';
import type { CliIO } from '../../util/io.js';

export function registerCerts(program: Command, io: CliIO): void {
  program
    .command('certs')
    .description(
      "create the webhook's CA and serving certificate, or renew them when they expire within --renew-before days\n" +
        '(a renewed CA is added to the bundle next to the old one, so clients keep trusting the server throughout;\n' +
        'the CA key is RSA 2048, the serving key ECDSA P-256: a cheaper TLS handshake per connection the API server opens)',
    )
    .option(
      '--out <dir>',
      'write ca.crt, ca.key, tls.crt, tls.key into this folder (existing ones are renewed)',
    )
    .option('--secret <name>', 'write them into this kubernetes.io/tls Secret instead (needs a cluster)')
    .option('-n, --namespace <ns>', "the Secret's and the Service's namespace", 'berth-system')
    .option('--service <name>', "the webhook Service's name (its DNS names go into the certificate)", 'berth')
    .option('--dns <name...>', "DNS names for the certificate (default: the Service's names)")
    .option('--ip <address...>', 'IP addresses for the certificate (e.g. 127.0.0.1 for local use)')
    .option('--days <n>', 'serving certificate lifetime', String(CERT_DEFAULTS.servingDays))
    .option('--ca-days <n>', 'CA lifetime', String(CERT_DEFAULTS.caDays))
    .option(
      '--renew-before <n>',
      'renew what expires within this many days',
      String(CERT_DEFAULTS.renewBeforeDays),
    )
    .option(
      '--patch-webhooks [name]',
      "patch the CA bundle into the webhook configurations (default name 'berth')",
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig for --secret and --patch-webhooks (default: $KUBECONFIG, in-cluster)',
    )
    .action(async (opts: CertsOpts) => {
      await (await import('../certs-run.js')).certsAction(opts, io);
    });
}
