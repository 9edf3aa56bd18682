# The plans auto_explain wrote to PostgreSQL's log (log_min_duration = 0, text format), of the
# statements that read the catalog (the worker's queue polling on the same database is left out):
# first one line per statement (its time, its first line), then each statement and its plan.
#   awk -f bench/lib/plans.awk server.log
function flush() {
  if (entry != "" && entry ~ /(products|product_variants|inventory|variant_option_values)/ && entry !~ /wolverine/) {
    summary = summary sprintf("  %12s  %.100s\n", duration, first)
    plans = plans entry
  }
  entry = ""
}
/ LOG:  duration: .* plan:/ {
  flush()
  duration = $0; sub(/.* duration: /, "", duration); sub(/  plan:.*/, "", duration)
  getline; first = $0; sub(/^\tQuery Text: /, "", first)
  entry = sprintf("\n  -- %s\n", duration) "      " first "\n"
  next
}
/^\t/ && entry != "" { sub(/^\t/, "      "); entry = entry $0 "\n"; next }
{ flush() }
END { flush(); printf "%s%s", summary, plans }
