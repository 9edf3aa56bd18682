#!/usr/bin/env bash
# The container smoke test: builds the project's images from its own Dockerfile, brings compose.yaml
# up with podman-compose, and drives the shop from outside over HTTP on loopback: register, log in,
# browse the demo catalog, order, pay, see the order paid by the worker and the confirmation email
# in the mail catcher; a second payment with the workers stopped in the middle of it, settled once
# after they start again; the health checks, the read-only root filesystems, the labels, and how fast
# every container stops on SIGTERM (workers with and without the API); then the production overlay's
# API and worker Deployments, rendered with kubectl kustomize, run as pods with podman kube play against
# the same PostgreSQL, Redis, RabbitMQ and mail catcher, and an order is paid through them; then
# everything is removed, pods, volumes and network too, also when a step fails.
#
# This machine reaches no registry: the base images are local stand-ins tagged with the official
# names, built once per machine (tests/containers/standins/build.sh). Run by scripts/test.sh, or alone:
#   bash scripts/container-smoke.sh
# With CI=true or SHOP_REQUIRE_SERVICES=1 a missing tool is a failure; otherwise a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

require=${SHOP_REQUIRE_SERVICES:-0}
[ "${CI:-}" = "true" ] && require=1
started=$(date +%s)
say() { printf '\n== [%3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
missing_tools() {
  local tool missing=()
  # catatonit: the init of the pods' infra containers (podman kube play builds its pause image from it).
  for tool in podman podman-compose runc mmdebstrap catatonit; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ -x /usr/lib/cni/dnsname ] || missing+=(dnsname)
  echo "${missing[@]}"
}
if [ -n "$(missing_tools)" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing podman, podman-compose, runc, mmdebstrap, catatonit with apt-get"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman podman-compose runc mmdebstrap catatonit golang-github-containernetworking-plugin-dnsname uidmap >/dev/null
fi
if [ -n "$(missing_tools)" ]; then
  if [ "$require" = 1 ]; then fail "missing $(missing_tools) (Debian packages; run as root to install them)"; fi
  echo "WARNING: missing $(missing_tools): the container smoke test is left out (set SHOP_REQUIRE_SERVICES=1 to make this an error)" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  [ "$require" = 1 ] && fail "the container smoke test runs as root (the stand-ins are built with mmdebstrap)"
  echo "WARNING: not root: the container smoke test is left out" >&2
  exit 0
fi

# runc and ulimits this kernel accepts, without editing /etc (tests/containers/README.md).
export CONTAINERS_CONF=$root/tests/containers/containers.conf

project=shopsmoke$$
tag=smoke
work=$(mktemp -d /tmp/shop-smoke.XXXXXX)
compose() { podman-compose -p "$project" "$@"; }
containers_of() { podman ps -a --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'; }

# The pods podman kube play started for this run (labelled with the project), and their containers.
kube_pods() { podman pod ps -q --filter "label=shop-smoke=$project"; }
kube_containers() { local pod; for pod in $(kube_pods); do podman ps -a --filter "pod=$pod" --format '{{.Names}} {{.IsInfra}}'; done | awk '$2 == "false" { print $1 }'; }
kube_dir="" kube_file="" kube_network_existed=1

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" != 0 ]; then
    echo "--- the stack's last logs ($project) ---" >&2
    for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}') $(kube_containers); do
      echo "--- $name: $(podman inspect "$name" --format '{{.State.Status}} exit {{.State.ExitCode}}')" >&2
      podman logs --tail 15 "$name" 2>&1 | cut -c1-400 >&2 || true
    done
  fi
  # The kube play pods first: they are on the compose network that down -v removes.
  if [ -n "$kube_file" ]; then
    timeout 60 podman kube down "$kube_file" >/dev/null 2>&1 || true
    for pod in $(kube_pods); do podman pod rm -f -t 0 "$pod" >/dev/null 2>&1 || true; done
    podman secret rm "shop-secrets-$project" >/dev/null 2>&1 || true
    podman volume rm -f "tmp-$project" >/dev/null 2>&1 || true
    if [ "$kube_network_existed" = 0 ]; then podman network rm -f podman-default-kube-network >/dev/null 2>&1 || true; fi
  fi
  [ -n "$kube_dir" ] && rm -rf "$kube_dir"
  say "down -v"
  timeout 120 podman-compose -p "$project" down -v >/dev/null 2>&1 || true
  # podman-compose 1.0.3 leaves the network, and a container started outside it would stay.
  for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do podman rm -f -t 0 "$name" >/dev/null 2>&1 || true; done
  for volume in $(podman volume ls --filter "label=io.podman.compose.project=$project" --format '{{.Name}}'); do podman volume rm -f "$volume" >/dev/null 2>&1 || true; done
  podman network exists "${project}_default" 2>/dev/null && podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  rm -rf "$work"
  say "container smoke test $([ "$status" = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - started )) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# --- images ------------------------------------------------------------------------------------
say "stand-in base images (built once per machine)"
timeout 900 bash tests/containers/standins/build.sh >"$work/standins.log" 2>&1 || { tail -30 "$work/standins.log"; fail "building the stand-in images"; }

build_image() { # target, image
  local before; before=$(podman image inspect --format '{{.Id}}' "$2" 2>/dev/null || true)
  local t0; t0=$(date +%s)
  # buildah 1.28 does not key its layer cache on a build argument that only a LABEL reads: with the
  # sources unchanged, the last step (the Dockerfile's LABEL) would come from the cache with the
  # previous commit's revision. That cached step is the previous image itself: without it, the step
  # runs again, and the layers before it stay cached.
  if [ -n "$before" ] && [ "$(podman image inspect --format '{{index .Labels "org.opencontainers.image.revision"}}' "$2")" != "$(git rev-parse HEAD)" ]; then
    podman rmi "$2" >/dev/null 2>&1 || true
  fi
  timeout 1200 podman build --pull=never --format docker --target "$1" -t "$2" \
    --build-arg VERSION="$(git describe --tags --always 2>/dev/null || echo dev)" \
    --build-arg REVISION="$(git rev-parse HEAD)" \
    --build-arg SOURCE="$(git remote get-url origin 2>/dev/null || true)" \
    . >"$work/build-$1.log" 2>&1 || { tail -40 "$work/build-$1.log"; fail "building the $1 image"; }
  local after; after=$(podman image inspect --format '{{.Id}}' "$2")
  # The image this build replaced (untagged now) goes; its build cache stays for the next build.
  if [ -n "$before" ] && [ "$before" != "$after" ]; then podman rmi "$before" >/dev/null 2>&1 || true; fi
  echo "$1 image: $(( $(date +%s) - t0 )) s, $(podman image inspect --format '{{.Size}}' "$2" | awk '{printf "%.0f MB", $1/1e6}')"
}
say "building the images from the Dockerfile"
build_image api "localhost/shop-api:$tag"
build_image worker "localhost/shop-worker:$tag"
for image in shop-api shop-worker; do
  [ "$(podman image inspect --format '{{index .Labels "org.opencontainers.image.revision"}}' "localhost/$image:$tag")" = "$(git rev-parse HEAD)" ] \
    || fail "$image has no org.opencontainers.image.revision label of this commit"
  [ -n "$(podman image inspect --format '{{.HealthCheck}}' "localhost/$image:$tag" 2>/dev/null)" ] \
    || [ -n "$(podman image inspect --format '{{.Config.Healthcheck}}' "localhost/$image:$tag" 2>/dev/null)" ] \
    || fail "$image has no HEALTHCHECK (built without --format docker?)"
done

# --- the stack ---------------------------------------------------------------------------------
export SHOP_TAG=$tag SHOP_WORKERS=2
SHOP_API_PORT=$(free_port 18080); export SHOP_API_PORT
SHOP_MAIL_UI_PORT=$(free_port 18025); export SHOP_MAIL_UI_PORT
SHOP_RABBITMQ_UI_PORT=$(free_port 18672); export SHOP_RABBITMQ_UI_PORT
api=http://127.0.0.1:$SHOP_API_PORT
mail=http://127.0.0.1:$SHOP_MAIL_UI_PORT

say "podman-compose -p $project up -d (API on $api, mail on $mail, $SHOP_WORKERS workers)"
up_started=$(date +%s)
timeout 300 podman-compose -p "$project" up -d >"$work/up.log" 2>&1 || { tail -30 "$work/up.log"; fail "podman-compose up"; }
for _ in $(seq 1 180); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/health/ready" || true)" = 200 ] && break
  sleep 1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$api/health/ready")" = 200 ] || fail "the API was not ready within 180 s"
say "API ready $(( $(date +%s) - up_started )) s after up"
podman ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' \
  | xargs podman inspect --format '{{.Name}}: {{.State.Status}}, {{.RestartCount}} restarts' | sed 's/^/  /'
[ "$(podman inspect "$(containers_of migrate)" --format '{{.State.Status}} {{.State.ExitCode}}')" = "exited 0" ] || fail "migrate did not exit 0"
workers=$(containers_of worker)
[ "$(echo "$workers" | wc -w)" = "$SHOP_WORKERS" ] || fail "expected $SHOP_WORKERS worker containers, found: $workers"
for worker in $workers; do
  for _ in $(seq 1 60); do podman exec "$worker" dotnet Shop.Worker.dll probe http://127.0.0.1:9464/health/ready >/dev/null 2>&1 && break; sleep 1; done
  podman exec "$worker" dotnet Shop.Worker.dll probe http://127.0.0.1:9464/health/ready >/dev/null || fail "$worker is not ready"
done

# --- the scenario, from outside ----------------------------------------------------------------
# http METHOD PATH [BODY] [extra curl arguments...]: the answer's body; a status >= 400 fails the test.
http() {
  local method=$1 path=$2 body=${3:-}; shift 3 || shift $#
  local args=(-s -m 30 -o "$work/body" -w '%{http_code}' -X "$method" -H 'content-type: application/json' "$@")
  [ -n "${token:-}" ] && args+=(-H "authorization: Bearer $token")
  [ -n "$body" ] && args+=(-d "$body")
  local status; status=$(curl "${args[@]}" "$api$path")
  if [ "$status" -ge 400 ]; then fail "$method $path: $status $(cat "$work/body")"; fi
  cat "$work/body"
}
eventually() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "$what (within $seconds s)"
}
psql_shop() { podman exec "$(containers_of postgres)" psql -U shop -d shop -qAt -c "$1"; }

say "register, log in, browse the demo catalog"
email="smoke-$$@example.com"
token=""
http POST /api/v1/auth/register "{\"email\":\"$email\",\"password\":\"correct-horse-9\",\"fullName\":\"Smoke Test\"}" >/dev/null
token=$(http POST /api/v1/auth/login "{\"email\":\"$email\",\"password\":\"correct-horse-9\"}" | jq -er .accessToken)
http GET /api/v1/users/me "" | jq -e --arg e "$email" '.email == $e' >/dev/null || fail "users/me is not $email"
catalog=$(http GET '/api/v1/products?inStock=true&pageSize=50' "")
[ "$(jq .totalCount <<<"$catalog")" -gt 100 ] || fail "the demo catalog is not there: $(jq -c '{totalCount}' <<<"$catalog")"
products=($(jq -r '[.items[] | select(.stock.available >= 2) | .id] | .[0:2] | .[]' <<<"$catalog"))
[ "${#products[@]}" = 2 ] || fail "no two products in stock"
address='{"fullName":"Ada Lovelace","line1":"12 St James'"'"'s Square","city":"London","postalCode":"SW1Y 4JH","country":"GB"}'

order_and_pay() { # product, card token -> sets order_id, order_number, payment_id
  local order payment
  order=$(http POST /api/v1/orders "{\"items\":[{\"productId\":\"$1\",\"quantity\":1}],\"shippingAddress\":$address}")
  order_id=$(jq -er .id <<<"$order"); order_number=$(jq -er .number <<<"$order")
  payment=$(http POST /api/v1/payments "{\"orderId\":\"$order_id\",\"paymentToken\":\"$2\"}" -H "Idempotency-Key: smoke-$order_id")
  payment_id=$(jq -er .id <<<"$payment")
}
paid() { http GET "/api/v1/orders/$order_id" "" | jq -e '.status == "paid"'; }
emails_for() { curl -sf "$mail/api/v1/messages" | jq --arg s "Order $1 confirmed" '[.messages[] | select(.Subject | startswith($s))] | length'; }
one_email() { [ "$(emails_for "$1")" = 1 ]; }
# The sandbox card network's ledger: one row per charge (keyed by the payment id), its status.
charges_of() { psql_shop "SELECT count(*) || ' ' || coalesce(min(status), '-') FROM sandbox_ledger WHERE kind = 'charge' AND idempotency_key = '${1//-/}'"; }

say "order, pay, paid by the worker, confirmation email caught"
order_and_pay "${products[0]}" tok_visa
eventually 60 "order $order_number paid" paid
eventually 60 "the confirmation email of $order_number in the mail catcher" one_email "$order_number"
[ "$(charges_of "$payment_id")" = "1 succeeded" ] || fail "payment $payment_id: ledger $(charges_of "$payment_id")"

say "a second payment, the workers stopped in the middle of it (SIGTERM, API up), started again"
order_and_pay "${products[1]}" tok_chargeDeclinedProcessingError # fails twice (200 ms, 1 s backoff), then succeeds
for worker in $workers; do
  t0=$(date +%s%N)
  timeout 60 podman stop -t 30 "$worker" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$worker stopped in $ms ms (API up), exit $(podman inspect "$worker" --format '{{.State.ExitCode}}')"
  [ "$ms" -lt 10000 ] || fail "$worker took $ms ms to stop on SIGTERM (API up)"
done
http GET "/api/v1/orders/$order_id" "" | jq -r '"order \(.number) while no worker runs: \(.status)"'
for worker in $workers; do podman start "$worker" >/dev/null; done
eventually 90 "order $order_number paid after the workers came back" paid
eventually 60 "the confirmation email of $order_number" one_email "$order_number"
[ "$(charges_of "$payment_id")" = "1 succeeded" ] || fail "payment $payment_id: ledger $(charges_of "$payment_id") (one succeeded charge expected)"
sleep 2
[ "$(emails_for "$order_number")" = 1 ] || fail "order $order_number: $(emails_for "$order_number") confirmation emails"

say "health checks (podman healthcheck run), read-only root filesystems"
for name in $(containers_of api) $workers; do
  podman healthcheck run "$name" >/dev/null || fail "podman healthcheck run $name: unhealthy"
  [ "$(podman inspect "$name" --format '{{.HostConfig.ReadonlyRootfs}}')" = true ] || fail "$name: root filesystem not read-only"
  if podman exec "$name" touch /app/probe-write 2>/dev/null; then fail "$name: wrote into /app on a read-only root filesystem"; fi
done
echo "healthy and read-only:" $(containers_of api) $workers

say "SIGTERM to the workers once the API is gone"
api_container=$(containers_of api)
t0=$(date +%s%N); timeout 60 podman stop -t 30 "$api_container" >/dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$api_container stopped in $ms ms"
[ "$ms" -lt 10000 ] || fail "the API took $ms ms to stop on SIGTERM"
for worker in $workers; do
  t0=$(date +%s%N); timeout 60 podman stop -t 30 "$worker" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$worker stopped in $ms ms (API gone), exit $(podman inspect "$worker" --format '{{.State.ExitCode}}')"
  [ "$ms" -lt 10000 ] || fail "$worker took $ms ms to stop on SIGTERM after the API"
done

# --- the Kubernetes Deployments, run by podman kube play ----------------------------------------
# The production overlay as deploy.sh renders it, in a throwaway kustomization beside the overlays
# (kustomize refuses absolute paths; deploy/kubernetes/.deploy.* is ignored by git) that changes only
# what a cluster's operator changes: the Secret and the addresses in the ConfigMap (taken from what
# compose.yaml gave its API container: this stack's PostgreSQL, Redis, RabbitMQ and Mailpit), the
# images (the ones built above), one replica each (podman runs one pod per Deployment), and a name
# suffix and label of this run's own. The rest of the Deployments (environment, envFrom, security
# context, read-only root with the /tmp emptyDir, resources) is what production gets.
say "podman kube play: the production overlay's API and worker Deployments against this stack"
kube_started=$(date +%s)
kube_dir=$(mktemp -d "$root/deploy/kubernetes/.deploy.kubeplay.XXXXXX")
kube_file=$kube_dir/kube.yaml
compose_env() { podman inspect "$(containers_of api)" --format '{{range .Config.Env}}{{println .}}{{end}}' | grep -E "^($1)="; }
compose_env 'ConnectionStrings__(Database|RabbitMq|Redis)|Jwt__SigningKey' >"$kube_dir/secrets.env" || true
compose_env 'Smtp__(Host|Port|UseTls)' >"$kube_dir/config.env" || true
[ "$(wc -l <"$kube_dir/secrets.env")" = 4 ] && [ "$(wc -l <"$kube_dir/config.env")" = 3 ] \
  || fail "compose.yaml's settings not found in the API container's environment"
cat >"$kube_dir/kustomization.yaml" <<YAML
resources: [../overlays/production]
namespace: shop
nameSuffix: -$project
labels:
  - pairs: { shop-smoke: $project }
    includeTemplates: true
images:
  - { name: shop-api, newName: localhost/shop-api, newTag: "$tag" }
  - { name: shop-worker, newName: localhost/shop-worker, newTag: "$tag" }
configMapGenerator:
  - { name: shop-config, behavior: merge, envs: [config.env] }
secretGenerator:
  - { name: shop-secrets, envs: [secrets.env], options: { disableNameSuffixHash: true } }
patches:
  - target: { kind: Deployment }
    patch: |-
      - { op: replace, path: /spec/replicas, value: 1 }
      # podman 4.3 turns each emptyDir into a podman volume named after it ("tmp"), which every pod
      # of the machine with such a volume would share: a name of this run's own.
      - { op: test, path: /spec/template/spec/volumes/0/name, value: tmp }
      - { op: replace, path: /spec/template/spec/volumes/0/name, value: tmp-$project }
      - { op: replace, path: /spec/template/spec/containers/0/volumeMounts/0/name, value: tmp-$project }
      # podman 4.3 runs a liveness probe as "curl -f http://localhost:PORT/PATH" inside the container
      # (the image has no curl; a named port becomes 0) and restarts the container when it fails, where
      # systemd runs health checks. This script probes the same paths and ports itself, below.
      - { op: remove, path: /spec/template/spec/containers/0/livenessProbe }
      - { op: remove, path: /spec/template/spec/containers/0/readinessProbe }
      - { op: remove, path: /spec/template/spec/containers/0/startupProbe }
YAML
kubectl kustomize "$kube_dir" >"$kube_dir/rendered.yaml" || fail "kubectl kustomize $kube_dir"
# Only the ConfigMap and the Deployments go to podman (Services, HPAs, PDBs, policies, the Ingress and
# the Job have no podman equivalent; the migrations ran above). Not the Secret either: podman 4.3
# stores a kube Secret as YAML but reads an envFrom secretRef as JSON (containers/podman#16269), so
# the same keys go in as a podman secret in the JSON form it reads, under the Secret's name.
awk '
  function flush() { if (keep) { printf "%s%s", sep, doc; sep = "---\n" } doc = ""; keep = 0 }
  /^---$/ { flush(); next }
  { doc = doc $0 "\n" }
  /^kind: (ConfigMap|Deployment)$/ { keep = 1 }
  END { flush() }' "$kube_dir/rendered.yaml" >"$kube_file"
[ "$(grep '^kind:' "$kube_file" | sort | tr '\n' ' ')" = "kind: ConfigMap kind: Deployment kind: Deployment " ] \
  || fail "expected a ConfigMap and two Deployments in $kube_file: $(grep '^kind:' "$kube_file" | tr '\n' ' ')"
grep -q "name: shop-secrets-$project\$" "$kube_file" || fail "the Deployments do not read the Secret shop-secrets-$project"
jq -Rn '[inputs | capture("^(?<key>[^=]+)=(?<value>.*)$")] | map({(.key): (.value | @base64)}) | add' \
  <"$kube_dir/secrets.env" | podman secret create "shop-secrets-$project" - >/dev/null
podman network exists podman-default-kube-network && kube_network_existed=1 || kube_network_existed=0
timeout 120 podman kube play --network "${project}_default" "$kube_file" >"$work/kube-play.log" 2>&1 \
  || { cat "$work/kube-play.log"; fail "podman kube play"; }
kube_pod() { podman pod ps --filter "name=^$1-$project-pod" --format '{{.Name}}'; }
api_pod=$(kube_pod shop-api) worker_pod=$(kube_pod shop-worker)
[ -n "$api_pod" ] && [ -n "$worker_pod" ] || fail "podman kube play started no API or no worker pod: $(kube_pods | tr '\n' ' ')"
# Ready: the app's own probe (what the images' HEALTHCHECK runs) on the readiness probes' paths and ports.
api_container=$api_pod-api worker_container=$worker_pod-worker
eventually 120 "the API pod ready" timeout 10 podman exec "$api_container" dotnet Shop.Api.dll probe http://127.0.0.1:8080/health/ready
eventually 120 "the worker pod ready" timeout 10 podman exec "$worker_container" dotnet Shop.Worker.dll probe http://127.0.0.1:9464/health/ready
say "pods ready $(( $(date +%s) - kube_started )) s after the render: $api_pod, $worker_pod"

# As the manifests ask: user 1654, no capabilities, no privilege escalation, a seccomp filter, a
# read-only root with /tmp writable, the memory and CPU limits; and, from outside, every readiness
# check healthy (the database, RabbitMQ and Redis of the Secret).
pod_ip=$(podman inspect "$(podman pod inspect "$api_pod" --format '{{.InfraContainerID}}')" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
worker_ip=$(podman inspect "$(podman pod inspect "$worker_pod" --format '{{.InfraContainerID}}')" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
for name in "$api_container" "$worker_container"; do
  status=$(podman exec "$name" cat /proc/1/status)
  for line in 'Uid:	1654	1654	1654	1654' 'CapEff:	0000000000000000' 'NoNewPrivs:	1' 'Seccomp:	2'; do
    grep -qF "$line" <<<"$status" || fail "$name: no \"$line\" in /proc/1/status"
  done
  if podman exec "$name" touch /app/probe-write 2>/dev/null; then fail "$name: wrote into /app on a read-only root filesystem"; fi
  podman exec "$name" touch /tmp/probe-write || fail "$name: /tmp (emptyDir) is not writable"
  limits=$(podman inspect "$name" --format '{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}}')
  [ "${limits% *}" -gt 0 ] && [ "${limits#* }" -gt 0 ] || fail "$name: no memory or CPU limit ($limits)"
done
for ready in "$pod_ip:8080" "$worker_ip:9464"; do
  curl -s -m 10 "http://$ready/health/ready" \
    | jq -e '.status == "Healthy" and ([.checks[] | .status] | all(. == "Healthy")) and (.checks | keys == ["database", "rabbitmq", "redis"])' >/dev/null \
    || fail "http://$ready/health/ready: $(curl -s -m 10 "http://$ready/health/ready")"
done
[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://$pod_ip:9100/metrics")" = 200 ] \
  || fail "the API pod serves no /metrics on its management port 9100 (Metrics__Port)"
echo "user 1654, no capabilities, no new privileges, seccomp, read-only root, /tmp writable, limits; database, RabbitMQ, Redis healthy; /metrics on 9100"

say "an order paid through the pods: API pod, then the worker pod (the compose workers are stopped), mail caught"
[ -z "$(podman ps --filter "label=com.docker.compose.project=$project" --filter label=com.docker.compose.service=worker -q)" ] \
  || fail "a compose worker still runs"
api=http://$pod_ip:8080
catalog=$(http GET '/api/v1/products?inStock=true&pageSize=50' "")
[ "$(jq .totalCount <<<"$catalog")" -gt 100 ] || fail "the API pod does not see this stack's catalog: $(jq -c '{totalCount}' <<<"$catalog")"
http GET /api/v1/users/me "" | jq -e --arg e "$email" '.email == $e' >/dev/null || fail "the API pod does not accept the stack's token"
order_and_pay "$(jq -r '[.items[] | select(.stock.available >= 1) | .id][0]' <<<"$catalog")" tok_visa
eventually 60 "order $order_number paid by the worker pod" paid
eventually 60 "the confirmation email of $order_number in the mail catcher" one_email "$order_number"
[ "$(charges_of "$payment_id")" = "1 succeeded" ] || fail "payment $payment_id: ledger $(charges_of "$payment_id")"
echo "order $order_number paid and confirmed through the pods"

t0=$(date +%s%N)
timeout 60 podman kube down "$kube_file" >"$work/kube-down.log" 2>&1 || { cat "$work/kube-down.log"; fail "podman kube down"; }
echo "podman kube down in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ -z "$(kube_pods)" ] || fail "pods left after podman kube down: $(kube_pods | tr '\n' ' ')"
say "kube play step: $(( $(date +%s) - kube_started )) s"
