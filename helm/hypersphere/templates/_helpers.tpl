{{/*
Names, labels and the derived values every template shares.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "hypersphere.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart>, or the release name if it contains the chart name, or fullnameOverride; at most 63 characters (a DNS label). */}}
{{- define "hypersphere.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, as the helm.sh/chart label wants it. */}}
{{- define "hypersphere.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on the service's objects. */}}
{{- define "hypersphere.labels" -}}
{{ include "hypersphere.commonLabels" . }}
app.kubernetes.io/component: service
{{- end }}

{{/* Labels on the audit Job and its pods: not the service's selector either. */}}
{{- define "hypersphere.auditLabels" -}}
{{ include "hypersphere.commonLabels" . }}
app.kubernetes.io/component: audit
{{- end }}

{{/* Labels on the trainer Job and its pod: not the service's selector, so the Service never sends it traffic. */}}
{{- define "hypersphere.trainerLabels" -}}
{{ include "hypersphere.commonLabels" . }}
app.kubernetes.io/component: trainer
{{- end }}

{{/* Labels every object carries, whatever its component. */}}
{{- define "hypersphere.commonLabels" -}}
helm.sh/chart: {{ include "hypersphere.chart" . }}
app.kubernetes.io/name: {{ include "hypersphere.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the service pods (never change them in an upgrade: selectors are immutable). */}}
{{- define "hypersphere.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hypersphere.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: service
{{- end }}

{{/* The image of a Dockerfile target: <repository>:<tag or appVersion>-<suffix>. Call with (dict "root" $ "suffix" "gpu"). */}}
{{- define "hypersphere.imageFor" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag }}
{{- printf "%s:%s-%s" .root.Values.image.repository $tag .suffix }}
{{- end }}

{{/* The service image: the gpu target when gpu.enabled, else the cpu target. */}}
{{- define "hypersphere.image" -}}
{{- include "hypersphere.imageFor" (dict "root" . "suffix" (ternary "gpu" "cpu" .Values.gpu.enabled)) }}
{{- end }}

{{/* settings.ExecutionProvider, or cuda with gpu.enabled (a GPU pod must not serve from the CPU unnoticed), else cpu. */}}
{{- define "hypersphere.executionProvider" -}}
{{- default (ternary "cuda" "cpu" .Values.gpu.enabled) .Values.settings.ExecutionProvider }}
{{- end }}

{{/*
A setting as the text of an environment variable. Helm reads numbers in values.yaml as float64, which print
as 6.7108864e+07; whole numbers are printed as integers so the service's configuration binder can read them.
*/}}
{{- define "hypersphere.settingText" -}}
{{- if kindIs "float64" . }}
{{- if eq . (float64 (int64 .)) }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else }}
{{- . }}
{{- end }}
{{- end }}

{{/* The Secret holding the keys: auth.existingSecret, or the chart's own. */}}
{{- define "hypersphere.secretName" -}}
{{- default (include "hypersphere.fullname" .) .Values.auth.existingSecret }}
{{- end }}

{{/* The models claim: models.persistence.existingClaim, or the chart's own. */}}
{{- define "hypersphere.modelsClaim" -}}
{{- default (printf "%s-models" (include "hypersphere.fullname" .)) .Values.models.persistence.existingClaim }}
{{- end }}

{{/*
Where the models come from: shipped, pvc, image or url (models.source; models.persistence.enabled, the older switch,
means pvc). Anything else stops the rendering, and so does url without a 64-digit models.sha256.
*/}}
{{- define "hypersphere.modelsSource" -}}
{{- $source := .Values.models.source }}
{{- if not (and (kindIs "string" $source) (eq $source "shipped" "pvc" "image" "url")) }}
{{- fail (printf "models.source must be shipped, pvc, image or url, not %v" $source) }}
{{- end }}
{{- if and .Values.models.persistence.enabled (eq $source "image" "url") }}
{{- fail (printf "models.persistence.enabled means models.source pvc; it cannot go with models.source %s" $source) }}
{{- end }}
{{- if eq $source "url" }}
{{- $_ := required "models.source url needs models.url (a .tar.gz of <name>/<version>/ folders)" .Values.models.url }}
{{- $sha := required "models.source url needs models.sha256 (the archive's SHA-256: sha256sum models.tar.gz)" .Values.models.sha256 }}
{{- if not (and (kindIs "string" $sha) (eq (len $sha) 64)) }}
{{- fail (printf "models.sha256 must be the archive's SHA-256 as 64 hex digits, not %v" $sha) }}
{{- end }}
{{- end }}
{{- if .Values.models.persistence.enabled }}pvc{{ else }}{{ $source }}{{ end }}
{{- end }}

{{/* The models image of models.source image: repository[:tag]. */}}
{{- define "hypersphere.modelsImage" -}}
{{- $repository := required "models.source image needs models.image.repository (an image holding the models and cp)" .Values.models.image.repository }}
{{- if .Values.models.image.tag }}{{ printf "%s:%v" $repository .Values.models.image.tag }}{{ else }}{{ $repository }}{{ end }}
{{- end }}

{{/* The label matchers that keep an alert to this release's scraped service (the labels the ServiceMonitor's targets get). */}}
{{- define "hypersphere.scrapeSelector" -}}
namespace="{{ .Release.Namespace }}", service="{{ include "hypersphere.fullname" . }}"
{{- end }}

{{/*
PromQL: a counter rose within a window. increase() needs two samples, and the service's labelled counters first
appear already at 1 (prometheus-net exports a label set once it is counted), so a series that is new within the
window counts too. Call with (dict "series" "name{matchers}" "window" "10m").
*/}}
{{- define "hypersphere.counterRose" -}}
increase({{ .series }}[{{ .window }}]) > 0 or ({{ .series }} unless {{ .series }} offset {{ .window }})
{{- end }}
