#!/usr/bin/env bash
# The container smoke test: builds the project's images from its own Dockerfile, brings compose.yaml
# up with podman-compose, and drives the shop from outside over HTTP on loopback: register, log in,
# browse the demo catalog, order, pay, see the order paid by the worker and the confirmation email
# in the mail catcher; a second payment with the workers stopped in the middle of it, settled once
# after they start again; the health checks, the read-only root filesystems, the labels, and how fast
# every container stops on SIGTERM (workers with and without the API); then everything is removed,
# volumes and network too, also when a step fails.
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
  for tool in podman podman-compose runc mmdebstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ -x /usr/lib/cni/dnsname ] || missing+=(dnsname)
  echo "${missing[@]}"
}
if [ -n "$(missing_tools)" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing podman, podman-compose, runc, mmdebstrap with apt-get"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman podman-compose runc mmdebstrap golang-github-containernetworking-plugin-dnsname uidmap >/dev/null
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

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" != 0 ]; then
    echo "--- the stack's last logs ($project) ---" >&2
    for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "--- $name: $(podman inspect "$name" --format '{{.State.Status}} exit {{.State.ExitCode}}')" >&2
      podman logs --tail 15 "$name" 2>&1 | cut -c1-400 >&2 || true
    done
  fi
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
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$method" -H 'content-type: application/json' "$@")
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
