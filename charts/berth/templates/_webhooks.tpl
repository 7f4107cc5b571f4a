{{/*
The webhook configurations Berth registers itself (deploy/berth/webhooks.yaml says why each is as it
is): none is in the release, so nothing Fail-closed exists before a replica answers, and the
configurations go with the ClusterRole berth they are owned by.
*/}}
{{- define "berth.webhookConfigurations" -}}
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: berth
  labels: { app.kubernetes.io/name: berth }
  {{- include "berth.caInjection" . | nindent 2 }}
webhooks:
  - name: mutate.berth.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    {{- include "berth.webhookScope" . | nindent 4 }}
    reinvocationPolicy: IfNeeded
    clientConfig:
      service: { name: berth, namespace: {{ .Release.Namespace }}, path: /mutate, port: 443 }
    rules:
      - { apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, statefulsets, replicasets], scope: Namespaced }
      - { apiGroups: [batch], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [jobs, cronjobs], scope: Namespaced }
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: Namespaced }
    matchConditions:
      {{- include "berth.judgedChanges" . | nindent 6 }}
  - name: gate.berth.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 2
    failurePolicy: Ignore
    clientConfig:
      service: { name: berth, namespace: {{ .Release.Namespace }}, path: /gate, port: {{ .Values.ports.gate }} }
    {{- include "berth.webhookSelectors" . | nindent 4 }}
    rules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: Namespaced }
    matchConditions:
      - name: unbound
        expression: "!has(object.spec.nodeName) || object.spec.nodeName == ''"
      - name: default-scheduler
        expression: "!has(object.spec.schedulerName) || object.spec.schedulerName == 'default-scheduler'"
      - name: not-a-daemonset-pod
        expression: "!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, r.kind == 'DaemonSet')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: berth
  labels: { app.kubernetes.io/name: berth }
  {{- include "berth.caInjection" . | nindent 2 }}
webhooks:
  - name: validate.berth.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    {{- include "berth.webhookScope" . | nindent 4 }}
    clientConfig:
      service: { name: berth, namespace: {{ .Release.Namespace }}, path: /validate, port: 443 }
    rules:
      - { apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, statefulsets, replicasets], scope: Namespaced }
      - { apiGroups: [batch], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [jobs, cronjobs], scope: Namespaced }
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], scope: Namespaced }
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [replicationcontrollers], scope: Namespaced }
      - { apiGroups: [policy], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [poddisruptionbudgets], scope: Namespaced }
      - { apiGroups: [autoscaling], apiVersions: [v2], operations: [CREATE, UPDATE], resources: [horizontalpodautoscalers], scope: Namespaced }
      - { apiGroups: [berth.dev], apiVersions: [v1alpha1], operations: [CREATE, UPDATE], resources: [workloadprofiles], scope: Namespaced }
    matchConditions:
      {{- include "berth.judgedChanges" . | nindent 6 }}
  - name: scale.berth.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 2
    failurePolicy: Ignore
    clientConfig:
      service: { name: berth, namespace: {{ .Release.Namespace }}, path: /validate, port: 443 }
    {{- include "berth.webhookSelectors" . | nindent 4 }}
    rules:
      - { apiGroups: [apps], apiVersions: [v1], operations: [UPDATE], resources: [deployments/scale, statefulsets/scale, replicasets/scale], scope: Namespaced }
      - { apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [replicationcontrollers/scale], scope: Namespaced }
    matchConditions:
      - name: scales-down
        expression: "has(oldObject.spec.replicas) && (!has(object.spec.replicas) || object.spec.replicas < oldObject.spec.replicas)"
  - name: review.berth.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
    failurePolicy: Ignore
    clientConfig:
      service: { name: berth, namespace: {{ .Release.Namespace }}, path: /validate, port: 443 }
    rules:
      - { apiGroups: [karpenter.sh], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [nodepools], scope: Cluster }
      - { apiGroups: [karpenter.k8s.aws], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [ec2nodeclasses], scope: Cluster }
      - { apiGroups: [eks.amazonaws.com], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [nodeclasses], scope: Cluster }
{{- end -}}

{{/* Fail-closed webhooks see objects Berth compiles (no controlled ones) and UPDATEs that change what it judges. */}}
{{- define "berth.judgedChanges" -}}
- name: not-controlled
  expression: "!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller)"
- name: spec-changed
  expression: "request.operation != 'UPDATE' || object.spec != oldObject.spec || (has(object.metadata.labels) && 'berth.dev/profile' in object.metadata.labels ? object.metadata.labels['berth.dev/profile'] : '') != (has(oldObject.metadata.labels) && 'berth.dev/profile' in oldObject.metadata.labels ? oldObject.metadata.labels['berth.dev/profile'] : '') || (has(object.metadata.labels) && 'berth.dev/runtime-class' in object.metadata.labels ? object.metadata.labels['berth.dev/runtime-class'] : '') != (has(oldObject.metadata.labels) && 'berth.dev/runtime-class' in oldObject.metadata.labels ? oldObject.metadata.labels['berth.dev/runtime-class'] : '') || (has(object.metadata.annotations) && 'berth.dev/instance-type-reason' in object.metadata.annotations ? object.metadata.annotations['berth.dev/instance-type-reason'] : '') != (has(oldObject.metadata.annotations) && 'berth.dev/instance-type-reason' in oldObject.metadata.annotations ? oldObject.metadata.annotations['berth.dev/instance-type-reason'] : '')"
{{- end -}}

{{/* With cert-manager, its cainjector writes the Certificate's CA into the configurations too. */}}
{{- define "berth.caInjection" -}}
{{- if .Values.certManager.enabled }}
annotations: { cert-manager.io/inject-ca-from: {{ printf "%s/berth" .Release.Namespace }} }
{{- end }}
{{- end -}}
