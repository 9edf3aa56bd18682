#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the rules that guard money and stock: the order state machine,
# stock reservation and the stock effects of status changes, Idempotency-Key handling, the
# recording of payment and refund outcomes, and refund amounts. Runs the unit tests and the
# SQLite integration tests (stryker-config.json at the root says which), one mutant at a time,
# and prints the score of each file. Not part of .ci/run: it takes far longer than the suite.
#   bash scripts/mutation.sh            (report in .tmp/mutation/reports/)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export LC_ALL=C.UTF-8 # ${#line} below counts characters, as Stryker's spans do

# Whole files, and single members of larger files (Stryker takes character spans, not names:
# they are computed here from the signatures, so that they follow the code as it changes).
whole=(
  Orders/OrderStateMachine.cs
  Common/Idempotency.cs
)
members=(
  "Orders/OrderService.cs|Task<OrderResponse> PlaceAsync("
  "Orders/OrderService.cs|Task<Order> MoveAsync("
  "Orders/OrderService.cs|Task ApplyStockEffectAsync("
  "Payments/PaymentProcessor.cs|Task<bool> RecordSucceededAsync("
  "Payments/PaymentProcessor.cs|Task<bool> RecordFailedAsync("
  "Payments/PaymentProcessor.cs|Task RefundAsync("
  "Payments/PaymentService.cs|Task<PaymentRefund> RequestRefundAsync("
)

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

mutate=()
for file in "${whole[@]}"; do mutate+=(-m "$file"); done
for member in "${members[@]}"; do
  file=${member%%|*}
  mutate+=(-m "$file$(span_of "src/Shop.Core/$file" "${member#*|}")")
done

command -v jq >/dev/null || { echo "ERROR: jq is needed to print the scores (apt-get install jq)" >&2; exit 1; }
dotnet tool restore >/dev/null
output="$root/.tmp/mutation"
rm -rf "$output"
started=$(date +%s)
(cd src/Shop.Core && dotnet stryker --config-file "$root/stryker-config.json" --output "$output" "${mutate[@]}")
elapsed=$(($(date +%s) - started))

# Score = (killed + timeout) / (all but compile errors and ignored), per file and in all.
echo
jq -r '
  def score: ([.[] | select(.status == "Killed" or .status == "Timeout")] | length) as $k
    | ([.[] | select(.status != "CompileError" and .status != "Ignored")] | length) as $n
    | if $n == 0 then "n/a" else "\((1000 * $k / $n | floor) / 10)% (\($k)/\($n))" end;
  (.files | to_entries | map(select(.value.mutants | length > 0))) as $files
  | ($files[] | "\(.value.mutants | score)\t\(.key | sub(".*/src/"; "src/"))"),
    "\([$files[].value.mutants[]] | score)\ttotal",
    ($files[] | .key as $f | .value.mutants[] | select(.status == "Survived" or .status == "NoCoverage")
      | "  \(.status): \($f | sub(".*/"; "")):\(.location.start.line) \(.mutatorName): \(.replacement // "" | gsub("\n"; " ") | .[0:90])")
' "$output/reports/mutation-report.json"
echo "took $((elapsed / 60)) min $((elapsed % 60)) s"
