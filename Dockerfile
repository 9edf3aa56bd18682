# The shop's two images, from one file (they share the restore and the build):
#   docker build --target api    -t shop-api .
#   docker build --target worker -t shop-worker .
# Build arguments VERSION, REVISION and SOURCE fill the OCI labels. See README, "Containers".

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The image's architecture (set by the builder: amd64, arm64), so that only its native libraries
# are published (SQLite's for every platform would add 65 MB).
ARG TARGETARCH
WORKDIR /src
# Restore from the project files alone, so that this layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY src/Shop.Core/Shop.Core.csproj src/Shop.Core/
COPY src/Shop.Migrations.Sqlite/Shop.Migrations.Sqlite.csproj src/Shop.Migrations.Sqlite/
COPY src/Shop.Migrations.Postgres/Shop.Migrations.Postgres.csproj src/Shop.Migrations.Postgres/
COPY src/Shop.Api/Shop.Api.csproj src/Shop.Api/
COPY src/Shop.Worker/Shop.Worker.csproj src/Shop.Worker/
# As Release: its builds are precompiled (ReadyToRun, Directory.Build.targets), which needs the compiler's package.
RUN dotnet restore src/Shop.Api/Shop.Api.csproj -a "$TARGETARCH" -p:Configuration=Release \
 && dotnet restore src/Shop.Worker/Shop.Worker.csproj -a "$TARGETARCH" -p:Configuration=Release
COPY src/ src/

# Release loads the pre-generated Wolverine handler code (src/Shop.Core/Internal/Generated) and is
# precompiled (ReadyToRun) for the image's architecture (README, "Start-up").
FROM build AS publish-api
RUN dotnet publish src/Shop.Api/Shop.Api.csproj -c Release -a "$TARGETARCH" --self-contained false --no-restore -p:UseAppHost=false -o /app

FROM build AS publish-worker
RUN dotnet publish src/Shop.Worker/Shop.Worker.csproj -c Release -a "$TARGETARCH" --self-contained false --no-restore -p:UseAppHost=false -o /app

# What both images share: the runtime, the non-root user, and the places the app may
# write (the only ones, so the root filesystem can be read-only): /app/data for the embedded SQLite
# database and the signing key of a single-container run, /app/mail for mail when no SMTP host is
# set, and /tmp.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
RUN mkdir -p /app/data /app/mail && chown "$APP_UID:$APP_UID" /app/data /app/mail
ENV ConnectionStrings__Database="Data Source=/app/data/shop.db" \
    Storage__DataDirectory=/app/data \
    Smtp__PickupDirectory=/app/mail
USER $APP_UID

FROM runtime AS api
COPY --from=publish-api /app .
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["dotnet", "Shop.Api.dll", "probe", "http://127.0.0.1:8080/health/live"]
ENTRYPOINT ["dotnet", "Shop.Api.dll"]
# The OCI labels, last, so that a new revision only relabels: build arguments VERSION, REVISION
# (the commit) and SOURCE (the repository's URL).
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.vendor="Shop" \
      org.opencontainers.image.title="Shop API" \
      org.opencontainers.image.description="The shop's HTTP API (/api/v1, /docs, /health, /metrics) and its maintenance commands (migrate, seed)"

FROM runtime AS worker
COPY --from=publish-worker /app .
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["dotnet", "Shop.Worker.dll", "probe", "http://127.0.0.1:9464/health/live"]
ENTRYPOINT ["dotnet", "Shop.Worker.dll"]
# The OCI labels, last, so that a new revision only relabels: build arguments VERSION, REVISION
# (the commit) and SOURCE (the repository's URL).
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.vendor="Shop" \
      org.opencontainers.image.title="Shop worker" \
      org.opencontainers.image.description="The shop's background handlers and recurring jobs; /health and /metrics on port 9464"
