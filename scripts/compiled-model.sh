#!/usr/bin/env bash
# Regenerates the EF Core model compiled ahead of time for each provider (src/Shop.Migrations.*/CompiledModel),
# which the running shop uses instead of building its model at every start (DatabaseSetup.CompiledModel).
# Run it after any change to an entity or a configuration, with the migrations, and commit the result:
# CompiledModelTests fails while a compiled model differs from the model the configurations build.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  project=src/Shop.Migrations.$provider
  rm -rf "$project/CompiledModel"
  dotnet ef dbcontext optimize --project "$project" --output-dir CompiledModel \
    --namespace "Shop.Migrations.$provider.CompiledModel" >/dev/null
  echo "$project/CompiledModel: $(ls "$project/CompiledModel" | wc -l) files"
done
