/**
 * The dispatcher, point by point as kube-apiserver's (k8s.io/apiserver
 * pkg/admission/plugin/policy/validating dispatcher.go, validator.go; policy/matching; generic
 * CollectParams): matching, params, matchConditions, variables, messages, failurePolicy, actions and
 * audit annotations. Each case states the policy, the request and the API server's outcome.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../kube/objects.js';
import { denialText, judgeNative, warningText } from './dispatch.js';
import { NativePolicySet } from './policy-set.js';
import { createAttributes } from './verdicts.js';

const docs = (text: string): KubeObject[] => parseAllDocuments(text).map((d) => d.toJS() as KubeObject);

const policy = (name: string, spec: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${name} }
spec:
${spec.replace(/^/gm, '  ')}
`;
const binding = (
  name: string,
  policyName: string,
  spec = 'validationActions: [Deny]',
) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${name} }
spec:
  policyName: ${policyName}
${spec.replace(/^/gm, '  ')}
`;
const DEPLOYMENTS = `matchConstraints:
  resourceRules: [{ apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments] }]`;

const deployment = (o: { name?: string; ns?: string; replicas?: number; labels?: string } = {}): KubeObject =>
  docs(`apiVersion: apps/v1
kind: Deployment
metadata: { name: ${o.name ?? 'web'}, namespace: ${o.ns ?? 'apps'}, labels: ${o.labels ?? '{ app: web }'} }
spec:
  replicas: ${o.replicas ?? 3}
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: app, image: 'nginx:1.27' }] } }
`)[0] as KubeObject;

function judge(objects: string[], obj: KubeObject) {
  const set = new NativePolicySet(docs(objects.join('---\n')));
  let n = 0;
  const attrs = createAttributes(obj, set, {
    defaultNamespace: 'default',
    now: new Date('2026-11-29T00:00:00Z'),
    uid: () => `uid-${++n}`,
  });
  return judgeNative(attrs, set);
}

describe('judgeNative', () => {
  it('denies with the first denial in the API server words, the validation message or the expression', () => {
    const r = judge(
      [
        policy(
          'max',
          `${DEPLOYMENTS}\nvalidations:\n- expression: object.spec.replicas <= 2\n- expression: object.spec.replicas <= 1\n  message: at most one`,
        ),
        binding('max-b', 'max'),
      ],
      deployment(),
    );
    expect(r.denied && denialText(r.denied)).toBe(
      "ValidatingAdmissionPolicy 'max' with binding 'max-b' denied request: failed expression: object.spec.replicas <= 2",
    );
    expect(r.decisions.map((d) => d.message)).toEqual([
      'failed expression: object.spec.replicas <= 2',
      'at most one',
    ]);
  });

  it('falls back from a failing or blank messageExpression to message', () => {
    const spec = `${DEPLOYMENTS}\nvalidations:\n- expression: "false"\n  messageExpression: "string(object.spec.nothing)"\n  message: the message\n- expression: "false"\n  messageExpression: "'  '"\n  message: second`;
    const r = judge([policy('p', spec), binding('b', 'p')], deployment());
    expect(r.decisions.map((d) => d.message)).toEqual(['the message', 'second']);
  });

  it('files Warn as a warning and Audit as an audit decision, denying nothing', () => {
    const r = judge(
      [
        policy('p', `${DEPLOYMENTS}\nvalidations:\n- expression: "false"\n  message: no`),
        binding('b', 'p', 'validationActions: [Warn, Audit]'),
      ],
      deployment(),
    );
    expect(r.denied).toBeUndefined();
    expect(r.decisions.map((d) => d.action)).toEqual(['Warn', 'Audit']);
    expect(warningText(r.decisions[0] as NonNullable<(typeof r.decisions)[0]>)).toBe(
      "Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': no",
    );
  });

  it('applies failurePolicy to runtime errors: Fail denies with the error, Ignore admits', () => {
    const spec = (fp: string) =>
      `failurePolicy: ${fp}\n${DEPLOYMENTS}\nvalidations:\n- expression: object.spec.nothing > 1`;
    const fail = judge([policy('p', spec('Fail')), binding('b', 'p')], deployment());
    expect(fail.denied?.message).toBe(
      "expression 'object.spec.nothing > 1' resulted in error: no such key: nothing",
    );
    const ignore = judge([policy('p', spec('Ignore')), binding('b', 'p')], deployment());
    expect(ignore.denied).toBeUndefined();
  });

  it('skips on a false matchCondition; an erroring one denies under Fail', () => {
    const spec = (cond: string) =>
      `${DEPLOYMENTS}\nmatchConditions:\n- name: c\n  expression: "${cond}"\nvalidations:\n- expression: "false"`;
    expect(judge([policy('p', spec('false')), binding('b', 'p')], deployment()).denied).toBeUndefined();
    expect(
      judge([policy('p', spec('object.nope == 1')), binding('b', 'p')], deployment()).denied?.message,
    ).toBe("expression 'object.nope == 1' resulted in error: no such key: nope");
  });

  it('evaluates variables lazily and reports a failing one as the API server does', () => {
    const spec = `${DEPLOYMENTS}\nvariables:\n- name: bad\n  expression: object.spec.nothing\n- name: n\n  expression: object.spec.replicas\nvalidations:\n- expression: variables.n < 5\n- expression: variables.bad == 1`;
    const r = judge([policy('p', spec), binding('b', 'p')], deployment());
    expect(r.decisions.map((d) => d.message)).toEqual([
      'expression \'variables.bad == 1\' resulted in error: composited variable "bad" fails to evaluate: no such key: nothing',
    ]);
  });

  it('matches binding namespace and object selectors, and excluded rules', () => {
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata: { name: prod, labels: { env: prod } }\n`;
    const spec = `${DEPLOYMENTS}\nvalidations:\n- expression: "false"`;
    const b = binding(
      'b',
      'p',
      'validationActions: [Deny]\nmatchResources:\n  namespaceSelector: { matchLabels: { env: prod } }\n  objectSelector: { matchLabels: { app: web } }',
    );
    expect(judge([ns, policy('p', spec), b], deployment({ ns: 'prod' })).denied).toBeDefined();
    expect(judge([ns, policy('p', spec), b], deployment({ ns: 'dev' })).denied).toBeUndefined();
    expect(
      judge([ns, policy('p', spec), b], deployment({ ns: 'prod', labels: '{ app: api }' })).denied,
    ).toBeUndefined();
    const excluded = `${spec}\n`.replace(
      'matchConstraints:\n',
      'matchConstraints:\n  excludeResourceRules: [{ apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments], resourceNames: [web] }]\n',
    );
    expect(judge([policy('p', excluded), binding('b', 'p')], deployment()).denied).toBeUndefined();
    expect(
      judge([policy('p', excluded), binding('b', 'p')], deployment({ name: 'api' })).denied,
    ).toBeDefined();
  });

  it('collects params by name and selector, and follows parameterNotFoundAction', () => {
    const spec = `paramKind: { apiVersion: v1, kind: ConfigMap }\n${DEPLOYMENTS}\nvalidations:\n- expression: object.spec.replicas <= int(params.data.max)\n  messageExpression: "'max ' + params.data.max + ' from ' + params.metadata.name"`;
    const cm = (name: string, max: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: apps, labels: { limits: replicas } }\ndata: { max: "${max}" }\n`;
    const byName = binding(
      'b',
      'p',
      'validationActions: [Deny]\nparamRef: { name: two, parameterNotFoundAction: Deny }',
    );
    expect(judge([policy('p', spec), byName, cm('two', 2)], deployment()).denied?.message).toBe(
      'max 2 from two',
    );
    expect(judge([policy('p', spec), byName], deployment()).denied?.message).toBe(
      'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction',
    );
    const bySelector = binding(
      'b',
      'p',
      'validationActions: [Deny]\nparamRef: { selector: { matchLabels: { limits: replicas } }, parameterNotFoundAction: Allow }',
    );
    const r = judge([policy('p', spec), bySelector, cm('five', 5), cm('one', 1)], deployment());
    expect(r.decisions.map((d) => d.message)).toEqual(['max 1 from one']);
    expect(judge([policy('p', spec), bySelector], deployment()).denied).toBeUndefined();
  });

  it('sees the object with the API server defaults applied', () => {
    const spec = `${DEPLOYMENTS}\nvalidations:\n- expression: object.spec.template.spec.containers[0].imagePullPolicy == 'IfNotPresent' && has(object.spec.template.spec.securityContext) && object.spec.strategy.type == 'RollingUpdate'`;
    expect(judge([policy('p', spec), binding('b', 'p')], deployment()).denied).toBeUndefined();
  });

  it('denies on an audit annotation that fails, whatever the binding actions', () => {
    const spec = `${DEPLOYMENTS}\nauditAnnotations:\n- key: replicas\n  valueExpression: "'n=' + string(object.spec.nothing)"`;
    const r = judge([policy('p', spec), binding('b', 'p', 'validationActions: [Audit]')], deployment());
    expect(r.denied?.message).toMatch(/^expression '.*' resulted in error: no such key: nothing$/);
    const ok = judge(
      [
        policy(
          'p',
          `${DEPLOYMENTS}\nauditAnnotations:\n- key: replicas\n  valueExpression: "'n=' + string(object.spec.replicas)"`,
        ),
        binding('b', 'p', 'validationActions: [Audit]'),
      ],
      deployment(),
    );
    expect(ok.auditAnnotations).toEqual({ 'p/replicas': 'n=3' });
  });

  it('leaves out a policy the API server would refuse, and says why', () => {
    const set = new NativePolicySet(
      docs(
        [
          policy('p', `${DEPLOYMENTS}\nvalidations:\n- expression: object.spec.replicas`),
          binding('b', 'p'),
        ].join('---\n'),
      ),
    );
    expect(set.bound).toHaveLength(0);
    expect(set.refused.get('p')).toEqual([
      'spec.validations[0].expression: Invalid value: "object.spec.replicas": must evaluate to bool but got dyn',
    ]);
  });
});

describe('what cannot be answered offline, and errors in cel-go words', () => {
  it('fails an authorizer check under the failurePolicy, saying it needs the cluster', () => {
    const spec = `${DEPLOYMENTS}\nvalidations:\n- expression: "authorizer.group('apps').resource('deployments').namespace('apps').check('delete').allowed()"`;
    const r = judge([policy('p', spec), binding('b', 'p')], deployment());
    expect(r.denied?.message).toMatch(/resulted in error: authorizer checks cannot be answered offline/);
    const ignore = judge([policy('p', `failurePolicy: Ignore\n${spec}`), binding('b', 'p')], deployment());
    expect(ignore.denied).toBeUndefined();
  });

  it.each([
    ['object.spec.nothing == 1', 'no such key: nothing'],
    ['object.spec.replicas / 0 == 1', 'division by zero'],
    ['object.metadata.name + 1 == 2', 'no such overload'],
  ])('%s: %s', (expression, words) => {
    const r = judge(
      [policy('p', `${DEPLOYMENTS}\nvalidations:\n- expression: "${expression}"`), binding('b', 'p')],
      deployment(),
    );
    expect(r.denied?.message).toBe(`expression '${expression}' resulted in error: ${words}`);
  });
});

describe('a Pod as admission sees it', () => {
  const podPolicy = `matchConstraints:\n  resourceRules: [{ apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods] }]\nvalidations:\n- expression: "size(object.spec.volumes) == 1 && object.spec.serviceAccountName == 'default' && size(object.spec.tolerations) == 2"`;
  const pod = (mounts: string) =>
    docs(`apiVersion: v1
kind: Pod
metadata: { name: p, namespace: apps }
spec: { containers: [{ name: app, image: 'nginx:1.27'${mounts} }]${mounts ? ', volumes: [{ name: kube-api-access-abcde, projected: { sources: [] } }]' : ''} }
`)[0] as KubeObject;

  it('gets the token volume, service account and tolerations the API server adds, once', () => {
    expect(judge([policy('p', podPolicy), binding('b', 'p')], pod('')).denied).toBeUndefined();
    // An existing pod already mounts its token: judged again, it keeps one volume.
    const mounted =
      ', volumeMounts: [{ name: kube-api-access-abcde, mountPath: /var/run/secrets/kubernetes.io/serviceaccount }]';
    expect(judge([policy('p', podPolicy), binding('b', 'p')], pod(mounted)).denied).toBeUndefined();
  });
});

describe('work only for what a policy selects', () => {
  it('copies an object into CEL only when a policy matches it', () => {
    const set = new NativePolicySet(
      docs(
        [policy('p', `${DEPLOYMENTS}\nvalidations:\n- expression: "true"`), binding('b', 'p')].join('---\n'),
      ),
    );
    let copies = 0;
    const opts = {
      defaultNamespace: 'default',
      now: new Date('2026-11-29T00:00:00Z'),
      uid: () => `uid-${++copies}`,
    };
    const configMap = docs(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: apps }\n',
    )[0] as KubeObject;
    expect(judgeNative(createAttributes(configMap, set, opts), set).judgedBy).toEqual([]);
    expect(copies).toBe(0);
    expect(judgeNative(createAttributes(deployment(), set, opts), set).judgedBy).toEqual(['p']);
    expect(copies).toBe(1);
  });
});
