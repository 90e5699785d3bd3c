{{/*
Names, labels and the checks every manifest of the chart shares.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "navette.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object: "<release>-<chart>", or the release alone when it
already holds the chart's name. Short enough for a pod name with its ordinal
and for the per-replica Services ("<fullname>-N-mllp").
*/}}
{{- define "navette.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* chart-version, as the helm.sh/chart label wants it. */}}
{{- define "navette.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The labels that select the release's pods; never change them on upgrade. */}}
{{- define "navette.selectorLabels" -}}
app.kubernetes.io/name: {{ include "navette.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels. */}}
{{- define "navette.labels" -}}
helm.sh/chart: {{ include "navette.chart" . }}
{{ include "navette.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "navette.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "navette.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "navette.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The ConfigMap the pods mount: the chart's or an existing one. */}}
{{- define "navette.configMapName" -}}
{{- default (printf "%s-config" (include "navette.fullname" .)) .Values.config.existingConfigMap -}}
{{- end -}}

{{/* Whether each pod reads a configuration of its own. */}}
{{- define "navette.perReplica" -}}
{{- if or .Values.config.replicas (and .Values.config.existingConfigMap .Values.config.perReplica) -}}
true
{{- end -}}
{{- end -}}

{{/*
The configuration file a pod reads. Per replica, the ConfigMap key is the
pod's name: Kubernetes expands $(POD_NAME) in the container's arguments and
environment, so one pod template serves every ordinal.
*/}}
{{- define "navette.configPath" -}}
{{- if include "navette.perReplica" . -}}
/etc/navette/$(POD_NAME).yaml
{{- else -}}
/etc/navette/navette.yaml
{{- end -}}
{{- end -}}

{{- define "navette.dataDir" -}}
{{- printf "%s/navette-data" (trimSuffix "/" .Values.persistence.mountPath) -}}
{{- end -}}

{{/* HTTP or HTTPS, for the probes and the ServiceMonitor. */}}
{{- define "navette.adminScheme" -}}
{{- if .Values.admin.tls -}}HTTPS{{- else -}}HTTP{{- end -}}
{{- end -}}

{{/*
A probe on the admin API. The argument is a list: the root context, the
probe's name in probes (startup, liveness, readiness), the path. The kubelet
speaks HTTPS without verifying the certificate, but presents none: an admin
API that requires client certificates (admin.clientCertificates) gets a TCP
connection instead, which proves the listener accepts (and is logged by the
engine as a refused TLS handshake, at most one line every 10 s).
*/}}
{{- define "navette.probe" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $path := index . 2 -}}
{{- $settings := get $root.Values.probes $name -}}
{{- with get $root.Values.probes.overrides $name -}}
{{- toYaml . -}}
{{- else -}}
{{- if $root.Values.admin.clientCertificates }}
tcpSocket:
  port: admin
{{- else }}
httpGet:
  path: {{ $path }}
  port: admin
  scheme: {{ include "navette.adminScheme" $root }}
{{- end }}
periodSeconds: {{ $settings.periodSeconds }}
failureThreshold: {{ $settings.failureThreshold }}
timeoutSeconds: {{ $settings.timeoutSeconds }}
{{- end -}}
{{- end -}}

{{/*
One inline configuration's checks: what would make the pods unreachable or
their Services wrong, refused at `helm install` rather than found in a
CrashLoop. The argument is a list: the root context, a name for the messages,
the configuration's text.
*/}}
{{- define "navette.checkConfig" -}}
{{- $root := index . 0 -}}
{{- $where := index . 1 -}}
{{- $config := fromYaml (index . 2) -}}
{{- if hasKey $config "Error" -}}
{{- fail (printf "%s is not valid YAML: %s" $where (get $config "Error")) -}}
{{- end -}}
{{- $engine := default (dict) (get $config "engine") -}}
{{- $admin := default (dict) (get $engine "admin") -}}
{{- $listen := default "127.0.0.1:8575" (get $admin "listen") -}}
{{- $host := regexReplaceAll ":[0-9]+$" $listen "" -}}
{{- if has $host (list "127.0.0.1" "localhost" "[::1]") -}}
{{- fail (printf "%s: engine.admin.listen is %q, on loopback: the kubelet's probes and Prometheus cannot reach it; listen on \"0.0.0.0:%v\" (and set engine.admin.tls before giving out tokens)" $where $listen $root.Values.admin.port) -}}
{{- end -}}
{{- if ne (regexFind "[0-9]+$" $listen) (toString $root.Values.admin.port) -}}
{{- fail (printf "%s: engine.admin.listen %q is not on admin.port %v" $where $listen $root.Values.admin.port) -}}
{{- end -}}
{{- $tls := get $admin "tls" -}}
{{- if ne (not (not $tls)) (not (not $root.Values.admin.tls)) -}}
{{- fail (printf "%s: engine.admin.tls is %s but admin.tls is %v: set admin.tls to match, the probes and the ServiceMonitor follow it" $where (ternary "set" "not set" (not (not $tls))) $root.Values.admin.tls) -}}
{{- end -}}
{{- if $tls -}}
{{- if and (hasKey $tls "client_ca_file") (not $root.Values.admin.clientCertificates) -}}
{{- fail (printf "%s: engine.admin.tls.client_ca_file is set: the kubelet cannot present a certificate, set admin.clientCertificates: true (TCP probes) or give probes.overrides" $where) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Every check of the values, run once by the StatefulSet's template. */}}
{{- define "navette.validate" -}}
{{- $replicas := int .Values.replicaCount -}}
{{- if .Values.config.replicas -}}
{{- range $ordinal := until $replicas -}}
{{- if not (hasKey $.Values.config.replicas (toString $ordinal)) -}}
{{- fail (printf "config.replicas has no entry \"%d\": every replica below replicaCount (%d) needs its own configuration" $ordinal $replicas) -}}
{{- end -}}
{{- end -}}
{{- range $ordinal, $text := .Values.config.replicas -}}
{{- include "navette.checkConfig" (list $ (printf "config.replicas.%s" $ordinal) $text) -}}
{{- end -}}
{{- else if and (gt $replicas 1) (not (include "navette.perReplica" .)) -}}
{{- fail (printf "replicaCount is %d with one configuration for all: each replica would serve the same sources from its own store. Give each its own configuration (config.replicas, or config.existingConfigMap with config.perReplica), or install one release per site (docs/deployment.md)" $replicas) -}}
{{- end -}}
{{- if and (not .Values.config.existingConfigMap) (not .Values.config.replicas) -}}
{{- include "navette.checkConfig" (list . "config.navette" .Values.config.navette) -}}
{{- end -}}
{{- range .Values.mllp.ports -}}
{{- if hasKey . "replica" -}}
{{- if ge (int .replica) $replicas -}}
{{- fail (printf "mllp.ports %q: replica %v does not exist (replicaCount %d)" .name .replica $replicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
