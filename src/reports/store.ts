/**
 * The API server as the scan's ReportStore: Berth's reports listed by label (paged), each document
 * written with one server-side apply (create or replace in one request, Berth as field manager) and
 * deleted when its findings are gone.
 */
import { PatchStrategy, type KubernetesObjectApi } from '@kubernetes/client-node';
import type { ReportStore } from './ports.js';
import { REPORT_API_VERSION, type PolicyReport } from './policy-report.js';
import { statusOf } from '../kube/client.js';

export const MANAGED_BY_BERTH = 'app.kubernetes.io/managed-by=berth';
const PAGE = 500;

/** A listed item carries no kind or apiVersion; the request said which. */
function listed(r: PolicyReport, kind: PolicyReport['kind']): PolicyReport {
  return { ...r, apiVersion: REPORT_API_VERSION, kind, results: r.results };
}

export class ApiReportStore implements ReportStore {
  constructor(private readonly api: KubernetesObjectApi) {}

  async list(): Promise<PolicyReport[]> {
    return [...(await this.all('PolicyReport')), ...(await this.all('ClusterPolicyReport'))];
  }

  private async all(kind: PolicyReport['kind']): Promise<PolicyReport[]> {
    const out: PolicyReport[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.list<PolicyReport>(
        REPORT_API_VERSION,
        kind,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        MANAGED_BY_BERTH,
        PAGE,
        token,
      );
      for (const r of page.items) out.push(listed(r, kind));
      token = page.metadata?._continue;
    } while (token !== undefined && token !== '');
    return out;
  }

  async apply(report: PolicyReport): Promise<void> {
    await this.api.patch(report, undefined, undefined, 'berth', true, PatchStrategy.ServerSideApply);
  }

  async remove(report: PolicyReport): Promise<void> {
    try {
      await this.api.delete({
        apiVersion: REPORT_API_VERSION,
        kind: report.kind,
        metadata: report.metadata,
      });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }
}
