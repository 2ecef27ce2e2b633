#!/usr/bin/env bash
# Runs every test of aTES. Installs the Debian packages the tests start for real
# (RabbitMQ, PostgreSQL, an SMTP server, Chromium, Prometheus) when they are missing, then runs `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
/usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1 || need+=(python3-aiosmtpd)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} (Debian packages the tests start as private servers)…"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q "${need[@]}"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Ates.slnx "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over every test assembly.
awk '/^(Passed!|Failed!) +- +Failed: /{ gsub(",", ""); f+=$4; p+=$6; s+=$8 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
