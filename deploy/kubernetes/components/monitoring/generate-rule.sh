#!/usr/bin/env bash
# Writes prometheus-rule.yaml: deploy/observability/alerts.yaml's groups as a PrometheusRule.
set -euo pipefail
cd "$(dirname "$0")"
{
  cat <<'HEADER'
# deploy/observability/alerts.yaml as a PrometheusRule: the same groups, copied (kustomize cannot
# load a file outside this folder). KubernetesManifestTests fails when the two differ; regenerate with
#   bash deploy/kubernetes/components/monitoring/generate-rule.sh
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: shop
  labels:
    app.kubernetes.io/name: shop
spec:
HEADER
  # From "groups:" on (the file's leading comments stay there), two spaces deeper; blank lines stay blank.
  sed -n '/^groups:/,$p' ../../../observability/alerts.yaml | sed 's/^\(.\)/  \1/'
} > prometheus-rule.yaml
