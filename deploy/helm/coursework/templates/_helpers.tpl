{{/* Names: "coursework" for a release named coursework, else <release>-coursework (63 characters at most). */}}
{{- define "coursework.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "coursework.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "coursework.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "coursework.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coursework.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "coursework.labels" -}}
{{ include "coursework.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The public path of the service, as JupyterHub gives it to a managed service: /services/<name>/ under the base URL. */}}
{{- define "coursework.servicePrefix" -}}
{{- printf "%sservices/%s/" .Values.hub.baseUrl .Values.hub.serviceName -}}
{{- end -}}

{{- define "coursework.hubApiUrl" -}}
{{- .Values.hub.apiUrl | default (printf "http://hub:8081%shub/api" .Values.hub.baseUrl) -}}
{{- end -}}

{{/* Labels of the JupyterHub pods of one component (hub, proxy, singleuser-server), as Z2JH sets them. */}}
{{- define "coursework.jupyterhubPodLabels" -}}
app: jupyterhub
component: {{ .component }}
{{- with .root.Values.networkPolicy.jupyterhubRelease }}
release: {{ . }}
{{- end }}
{{- end -}}

{{/* Values the schema cannot judge alone; a bad combination stops the render with its reason. */}}
{{- define "coursework.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.database.existingSecret) -}}
{{- fail "replicas > 1 needs a shared PostgreSQL catalog: set database.existingSecret (and database.key) to a Secret holding COURSEWORK_DATABASE_URL; SQLite serves one replica only" -}}
{{- end -}}
{{- if not (hasPrefix (printf "%s/" (trimSuffix "/" .Values.homesVolume.mountPath)) .Values.homeTemplate) -}}
{{- fail (printf "homeTemplate %s must lie under homesVolume.mountPath %s, where the homes are mounted" .Values.homeTemplate .Values.homesVolume.mountPath) -}}
{{- end -}}
{{- $data := printf "%s/" (trimSuffix "/" .Values.dataVolume.mountPath) -}}
{{- $homes := printf "%s/" (trimSuffix "/" .Values.homesVolume.mountPath) -}}
{{- if or (hasPrefix $data $homes) (hasPrefix $homes $data) -}}
{{- fail (printf "dataVolume.mountPath %s and homesVolume.mountPath %s must not contain one another" .Values.dataVolume.mountPath .Values.homesVolume.mountPath) -}}
{{- end -}}
{{- end -}}
