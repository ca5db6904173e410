#!/usr/bin/env bash
# Kept for habit and old docs: the harness is TypeScript now (libs/testing/src/infra, design.md §9).
# Same commands as `npm run infra -- <cmd>`: start|stop|purge|status|env|logs|kafka-stop|kafka-start|pg-stop|pg-start.
set -euo pipefail
exec node "$(dirname "${BASH_SOURCE[0]}")/../scripts/infra.js" "$@"
