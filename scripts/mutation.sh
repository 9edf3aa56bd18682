#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the rules that guard money and stock, one group at a time:
#   state        the order state machine (OrderStateMachine.cs), against the unit tests
#   idempotency  Idempotency-Key claims, leases and replays (Idempotency.cs), against CheckoutConcurrencyTests
#   payments     recording payment and refund outcomes (PaymentProcessor) and refund amounts (PaymentService)
#   reservation  stock reservation at checkout and the stock effects of status changes (OrderService)
# Each group runs the unit tests and only the SQLite integration tests that exercise it, one mutant at
# a time; stryker-config.json at the root holds the common settings. Prints the score of each file
# and the surviving mutants. Not part of .ci/run: it takes far longer than the test suite.
#   bash scripts/mutation.sh [group ...]      (all four by default; reports in .tmp/mutation/<group>/)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export LC_ALL=C.UTF-8 # ${#line} below counts characters, as Stryker's spans do

unit=tests/Shop.UnitTests/Shop.UnitTests.csproj
http=tests/Shop.IntegrationTests/Shop.IntegrationTests.csproj
sqlite="Category!=Postgres"

# Per group: the test projects, the test filter, and what to mutate: a file, or "file|signature"
# for one member of a file (Stryker takes character spans, computed below from the signatures).
group() {
  case $1 in
    state)
      projects=("$unit")
      filter="FullyQualifiedName~OrderStateMachineTests"
      targets=("Orders/OrderStateMachine.cs") ;;
    idempotency)
      projects=("$unit" "$http") # the unit tests only lead Stryker to Shop.Core: the HTTP tests reach it through Shop.Api
      # Less the two contention tests that register 72 users and use no Idempotency-Key.
      filter="$sqlite&FullyQualifiedName~CheckoutConcurrencyTests&FullyQualifiedName!~Sixty_buyers&FullyQualifiedName!~Orders_naming_the_same_products"
      targets=("Common/Idempotency.cs") ;;
    payments)
      projects=("$unit" "$http") # the unit tests only lead Stryker to Shop.Core: the HTTP tests reach it through Shop.Api
      # Less the dead-letter test (30 s of retries, about email) and the low-stock email, and the seven
      # tests that killed no mutant in the run of 2026-12-01 (all four files; it took 42 min with them).
      filter="$sqlite&FullyQualifiedName~PaymentTests&FullyQualifiedName!~A_handler_that_keeps_failing&FullyQualifiedName!~Crossing_the_low_stock"
      for slow in Payments_need_an_idempotency_key Paying_a_cancelled_a_paid Marking_a_paid_order_refunded An_order_paid_after_it_was_found_due \
        A_refund_whose_message_was_lost A_processing_error_is_retried A_payment_whose_order_was_cancelled_before_its_turn; do
        filter+="&FullyQualifiedName!~$slow"
      done
      targets=(
        "Payments/PaymentProcessor.cs|Task<bool> RecordSucceededAsync("
        "Payments/PaymentProcessor.cs|Task<bool> RecordFailedAsync("
        "Payments/PaymentProcessor.cs|Task RefundAsync("
        "Payments/PaymentService.cs|Task<PaymentRefund> RequestRefundAsync(") ;;
    reservation)
      projects=("$unit" "$http") # the unit tests only lead Stryker to Shop.Core: the HTTP tests reach it through Shop.Api
      # With the payment tests that see a status change's event (a refund) and a reservation's (low-stock
      # email), and a checkout test that replays a stored response (the order stores it for its key).
      # Less the order tests that killed no mutant in the run of 2026-12-01 (the inventory tests killed
      # none either: they exercise adjustments, not orders); it took 69 min with them.
      filter="$sqlite&(FullyQualifiedName~OrderTests|FullyQualifiedName~Sixty_buyers|FullyQualifiedName~Concurrent_identical_moves|FullyQualifiedName~Replaying_an_idempotency_key|FullyQualifiedName~Cancelling_a_paid_order_refunds_it|FullyQualifiedName~Crossing_the_low_stock)"
      for slow in Orders_need_a_token Lists_are_newest_first Another_customers_order An_order_can_ship_to_a_saved_address A_product_that_was_ordered; do
        filter+="&FullyQualifiedName!~$slow"
      done
      targets=(
        "Orders/OrderService.cs|Task<OrderResponse> PlaceAsync("
        "Orders/OrderService.cs|Task<Order> MoveAsync("
        "Orders/OrderService.cs|Task ApplyStockEffectAsync(") ;;
    *) echo "unknown group '$1' (state, idempotency, payments, reservation)" >&2; exit 2 ;;
  esac
}

# The span {start..end} of the member whose signature contains $2: from the start of that line
# to the end of the first line after it that closes a member ("    }" in a file-scoped namespace).
span_of() {
  local file=$1 signature=$2 pos=0 start=-1 line
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$start" -lt 0 ] && [[ $line == *"$signature"* ]]; then start=$pos; fi
    if [ "$start" -ge 0 ] && [ "$line" = "    }" ]; then
      echo "{$start..$((pos + ${#line}))}"
      return
    fi
    pos=$((pos + ${#line} + 1))
  done <"$file"
  echo "ERROR: no member '$signature' in $file: update scripts/mutation.sh" >&2
  exit 1
}

# Score = (killed + timeout) / (all but compile errors and ignored), per file, and in all.
scores() {
  jq -r '
    def score: ([.[] | select(.status == "Killed" or .status == "Timeout")] | length) as $k
      | ([.[] | select(.status != "CompileError" and .status != "Ignored")] | length) as $n
      | if $n == 0 then "n/a" else "\((1000 * $k / $n | floor) / 10)% (\($k)/\($n))" end;
    (.files | to_entries | map(select([.value.mutants[] | select(.status != "Ignored" and .status != "CompileError")] | length > 0))) as $files
    | ($files[] | "\(.value.mutants | score)\t\(.key | sub(".*/src/"; "src/"))"),
      ($files[] | .key as $f | .value.mutants[] | select(.status == "Survived" or .status == "NoCoverage")
        | "  \(.status): \($f | sub(".*/"; "")):\(.location.start.line) \(.mutatorName): \(.replacement // "" | gsub("\\s+"; " ") | .[0:100])")
  ' "$1"
}

command -v jq >/dev/null || { echo "ERROR: jq is needed to read the reports (apt-get install jq)" >&2; exit 1; }
dotnet tool restore >/dev/null
# Stryker reads the projects' references before it builds anything: stale restore results (a package
# added since the last restore) leave it unable to compile the mutated project.
dotnet restore Shop.slnx >/dev/null
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(state idempotency payments reservation)
for name in "${groups[@]}"; do
  group "$name"
  args=()
  for project in "${projects[@]}"; do args+=(--test-project "$root/$project"); done
  for target in "${targets[@]}"; do
    file=${target%%|*}
    if [ "$file" = "$target" ]; then args+=(-m "$file"); else args+=(-m "$file$(span_of "src/Shop.Core/$file" "${target#*|}")"); fi
  done
  output="$root/.tmp/mutation/$name"
  rm -rf "$output" && mkdir -p "$output"
  jq --arg filter "$filter" '."stryker-config"."test-case-filter" = $filter' stryker-config.json >"$output/stryker-config.json"
  printf '\n== mutation testing: %s\n' "$name"
  started=$(date +%s)
  (cd src/Shop.Core && dotnet stryker --config-file "$output/stryker-config.json" --output "$output" "${args[@]}") >"$output/stryker.log" 2>&1 \
    || { tail -30 "$output/stryker.log"; exit 1; }
  elapsed=$(($(date +%s) - started))
  scores "$output/reports/mutation-report.json"
  echo "  ($name took $((elapsed / 60)) min $((elapsed % 60)) s; log and HTML report in .tmp/mutation/$name/)"
done
