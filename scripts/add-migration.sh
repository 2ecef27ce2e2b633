#!/usr/bin/env bash
# Adds a migration for one service on both of its databases (SQLite and PostgreSQL), after its model changed:
#   scripts/add-migration.sh <Service> <Name>      e.g. scripts/add-migration.sh Accounting PayoutReference
# Needs the dotnet-ef tool (dotnet tool install --global dotnet-ef --version 10.0.15); no database is contacted.
set -euo pipefail
service=${1:?"usage: $0 <Auth|Tasks|Accounting|Analytics> <MigrationName>"}
name=${2:?"usage: $0 <Service> <MigrationName>"}
cd "$(dirname "$0")/.."
project="src/Ates.$service"
[ -d "$project" ] || { echo "no project $project" >&2; exit 2; }
dotnet build "$project" -v q -nologo
design=$(mktemp -d)
trap 'rm -rf "$design"' EXIT
# The service's own host builds the context; only the provider differs. The folder gives the namespace, which tells
# the two sets apart (ServiceDefaults/Schema/ProviderMigrations.cs).
# EF Core finds a context's snapshot file by its name: each provider's is kept as <Context>ModelSnapshot.<Provider>.cs
# and given its plain name only while its own migration is added.
context="${service}Db"
add() {
  local provider=$1 database=$2 folder="$project/Data/Migrations/$1"
  if [ -f "$folder/${context}ModelSnapshot.$provider.cs" ]; then mv "$folder/${context}ModelSnapshot.$provider.cs" "$folder/${context}ModelSnapshot.cs"; fi
  dotnet ef migrations add "$name" --no-build --project "$project" --output-dir "Data/Migrations/$provider" \
    -- --environment Development "--$service:Database=$database"
  mv "$folder/${context}ModelSnapshot.cs" "$folder/${context}ModelSnapshot.$provider.cs"
}
add Sqlite "sqlite:$design/design.db"
add Postgres "postgres:Host=127.0.0.1;Database=design"
