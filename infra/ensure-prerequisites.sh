#!/usr/bin/env bash
# Checks the machine for what the local Kafka and PostgreSQL need (design.md §9) and installs
# PostgreSQL 15 from Debian's packages when it is missing and we are root. Java and Maven are part of
# the machine image; Node 20 runs this project.
set -euo pipefail

need() { command -v "$1" >/dev/null 2>&1; }

if ! need pg_config || [ ! -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    echo "installing postgresql-15 (Debian) for the throwaway test cluster" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
  else
    echo "PostgreSQL 15 server binaries are missing: install Debian's postgresql-15" >&2
    exit 1
  fi
fi
# The ops console's browser test drives Debian's Chromium through playwright-core (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    echo "installing chromium (Debian) for the console's browser test" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Debian's chromium is missing (/usr/bin/chromium): the console's browser test needs it" >&2
    exit 1
  fi
fi
# promtool checks the alert rules (deploy/observability); optional: the test skips without it.
if ! need promtool && [ "$(id -u)" = 0 ] && need apt-get; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 ||
    echo "promtool could not be installed: the alert rules' promtool check will be skipped" >&2
fi
# CI lints its bash scripts with shellcheck (.ci/run).
if ! need shellcheck && [ "$(id -u)" = 0 ] && need apt-get; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi
for tool in java mvn node npm; do
  need "$tool" || { echo "$tool is required (JDK 17 + Maven for the local Kafka, Node 20 for the apps)" >&2; exit 1; }
done
# shellcheck disable=SC2016 # JavaScript, not shell
node -e 'const [maj, min] = process.versions.node.split(".").map(Number); if (maj < 20 || (maj === 20 && min < 19)) { console.error(`Node ${process.versions.node}: 20.19 or newer is required`); process.exit(1); }'
