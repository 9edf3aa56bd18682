#!/usr/bin/env bash
# Regenerates Wolverine's handler code into src/Shop.Core/Internal/Generated, which Release builds
# load instead of compiling handlers at start-up. Run it after adding or changing a handler,
# a message type or the Wolverine configuration; a stale copy makes Release start-up fail loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/Shop.Api/Internal src/Shop.Core/Internal/Generated
# Debug builds generate at runtime, so this build does not depend on the files it is about to write.
dotnet build src/Shop.Api -c Debug -v q -nologo >/dev/null
(cd src/Shop.Api && dotnet run --no-build -c Debug -- codegen write >/dev/null)
mkdir -p src/Shop.Core/Internal
mv src/Shop.Api/Internal/Generated src/Shop.Core/Internal/Generated
rm -rf src/Shop.Api/Internal
echo "wrote $(find src/Shop.Core/Internal/Generated -name '*.cs' | wc -l) files to src/Shop.Core/Internal/Generated"
