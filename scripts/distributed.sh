#!/usr/bin/env bash
# The distributed aTES on one machine: private PostgreSQL and RabbitMQ (Debian packages; installed when missing, as
# for the tests), Auth, Tasks, two Accounting instances and Analytics as their own processes, and the gateway on
# http://localhost:5000 (or --url). Ctrl+C, SIGINT or SIGTERM stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q "${need[@]}"
fi
dotnet build Ates.slnx -v quiet -nologo
# The tool itself, not `dotnet run` in front of it: a SIGTERM or SIGINT sent to this script's process reaches it.
exec dotnet tools/Ates.Topology/bin/Debug/net10.0/Ates.Topology.dll "$@"
