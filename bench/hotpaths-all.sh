#!/usr/bin/env bash
# Issue 12's measurements from one command, one after another (each starts its own servers): the
# uncached catalog at 10,000 and 1,000,000 products (hotpaths.sh), checkout by 32 customers next to
# pgbench (orders.sh), and the embedded default's start-up with demo data present (startup.sh warm).
# About 25 minutes on the 2-core development machine; keep the machine otherwise idle.
#   bash bench/hotpaths-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/hotpaths.sh
bash bench/orders.sh
bash bench/startup.sh warm 7
