{{/* Labels every object carries: Berth's own name label (as deploy/ sets it) and Helm's. */}}
{{- define "berth.labels" -}}
app.kubernetes.io/name: {{ .name | default "berth" }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{- end -}}

{{- define "berth.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Off the capacity Berth buys (placement.avoidNodePools) and one replica a host, then the values' own affinity merged in. */}}
{{- define "berth.affinity" -}}
{{- $a := dict -}}
{{- if .Values.placement.avoidNodePools }}
{{- $_ := set $a "nodeAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (dict "nodeSelectorTerms" (list (dict "matchExpressions" (list (dict "key" "karpenter.sh/nodepool" "operator" "DoesNotExist")))))) }}
{{- end }}
{{- if .Values.placement.oneReplicaPerHost }}
{{- $_ := set $a "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list (dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (dict "app.kubernetes.io/name" "berth"))))) }}
{{- end }}
{{- toYaml (mergeOverwrite $a (deepCopy .Values.affinity)) }}
{{- end -}}

{{/* policies.yaml: the values' own, else the repository's with provisioner.mode from .Values.mode. */}}
{{- define "berth.policies" -}}
{{- if .Values.policies -}}
{{- /* A whole policies.yaml (berth init writes one): its provisioner.mode must be the chart's mode, which RBAC follows. */ -}}
{{- $block := regexFind "(?m)^provisioner:[^\n]*(\n[ \t]+[^\n]*)*" .Values.policies -}}
{{- $mode := regexFind "\n[ \t]+mode:[ \t]*[a-z]+" $block | regexFind "[a-z]+$" -}}
{{- if and $mode (ne $mode .Values.mode) -}}
{{- fail (printf "the policies value has provisioner.mode: %s but the chart's mode is %s: set --set mode=%s (RBAC and settings follow it)" $mode .Values.mode $mode) -}}
{{- end -}}
{{ .Values.policies }}
{{- else -}}
{{- if not (has .Values.mode (list "berth" "karpenter" "off")) -}}
{{- fail (printf "mode must be berth, karpenter or off (got %q)" .Values.mode) -}}
{{- end -}}
{{ regexReplaceAll "(?m)^  mode: berth +#" (.Files.Get "files/policies.yaml") (printf "  mode: %-19s#" .Values.mode) }}
{{- end -}}
{{- end -}}

{{/* The webhooks' namespace exclusions: the release's namespace always. */}}
{{- define "berth.webhookSelectors" -}}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: {{ append (without .Values.webhook.excludeNamespaces .Release.Namespace) .Release.Namespace | uniq | toJson }}
    - { key: berth.dev/ignore, operator: DoesNotExist }
{{- with .Values.webhook.objectSelector }}
objectSelector: {{ toJson . }}
{{- end }}
{{- end -}}

{{- define "berth.webhookScope" -}}
{{ include "berth.webhookSelectors" . }}
{{- if gt (int .Values.webhook.timeoutSeconds) 30 }}
{{- fail "webhook.timeoutSeconds must be at most 30" }}
{{- end }}
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
failurePolicy: {{ .Values.webhook.failurePolicy }}
{{- end -}}
