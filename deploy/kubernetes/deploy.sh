#!/usr/bin/env bash
# Deploys an overlay in the order the shop needs: the migration Job first, and only once it has
# completed the Deployments (which refuse a schema that is not current). Used by both pipelines.
#
#   deploy/kubernetes/deploy.sh OVERLAY [API_IMAGE WORKER_IMAGE]      e.g.
#   deploy/kubernetes/deploy.sh production ghcr.io/acme/shop-api:1.4.0 ghcr.io/acme/shop-worker:1.4.0
#   deploy/kubernetes/deploy.sh --render production IMAGE IMAGE       # print the objects, touch nothing
#
# Needs kubectl (with its built-in kustomize) and a context on the target cluster; the Secret
# shop-secrets must exist there (production). Timeouts: SHOP_MIGRATE_TIMEOUT, SHOP_ROLLOUT_TIMEOUT (s).
set -euo pipefail
render_only=0
if [ "${1:-}" = "--render" ]; then render_only=1; shift; fi
if [ $# -ne 1 ] && [ $# -ne 3 ]; then
  echo "usage: $0 [--render] OVERLAY [API_IMAGE WORKER_IMAGE]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
overlay=$1
[ -f "$here/overlays/$overlay/kustomization.yaml" ] || { echo "no overlay $here/overlays/$overlay" >&2; exit 2; }

# The images are set in a throwaway kustomization over the overlay, so the checkout is not edited
# (kustomize refuses absolute paths: it lives beside the overlays).
tmp=$(mktemp -d "$here/.deploy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
{
  echo "resources: [../overlays/$overlay]"
  if [ $# -eq 3 ]; then
    echo "images:"
    echo "  - { name: shop-api, newName: \"${2%:*}\", newTag: \"${2##*:}\" }"
    echo "  - { name: shop-worker, newName: \"${3%:*}\", newTag: \"${3##*:}\" }"
  fi
} > "$tmp/kustomization.yaml"
kubectl kustomize "$tmp" > "$tmp/rendered.yaml"
if [ "$render_only" = 1 ]; then cat "$tmp/rendered.yaml"; exit 0; fi

# 1. Everything but the API and the worker: namespace, configuration, policies, (development) the
#    databases, and the migration Job, whose previous run is deleted first (a Job cannot be changed).
kubectl -n shop delete job shop-migrate --ignore-not-found --wait=true
kubectl apply -f "$tmp/rendered.yaml" -l 'app.kubernetes.io/component notin (api,worker)'

# 2. Wait for the migration: complete, or failed (its logs, then stop: nothing new is rolled out).
deadline=$((SECONDS + ${SHOP_MIGRATE_TIMEOUT:-900}))
while :; do
  succeeded=$(kubectl -n shop get job shop-migrate -o 'jsonpath={.status.succeeded}')
  failed=$(kubectl -n shop get job shop-migrate -o 'jsonpath={.status.conditions[?(@.type=="Failed")].status}')
  if [ "${succeeded:-0}" -ge 1 ]; then break; fi
  if [ "$failed" = True ] || [ $SECONDS -ge $deadline ]; then
    kubectl -n shop logs job/shop-migrate --tail=100 || true
    echo "the migration did not complete: nothing rolled out" >&2
    exit 1
  fi
  sleep 5
done

# 3. The rest (the Deployments roll one new pod at a time), and wait until every new pod is ready.
kubectl apply -f "$tmp/rendered.yaml"
kubectl -n shop rollout status deployment/shop-api --timeout="${SHOP_ROLLOUT_TIMEOUT:-600}s"
kubectl -n shop rollout status deployment/shop-worker --timeout="${SHOP_ROLLOUT_TIMEOUT:-600}s"
