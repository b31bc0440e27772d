#!/bin/sh
# Probe the bot's /health (200 healthy, 503 feed stale or loop stalled) with the console token.
#   healthcheck.sh                     one probe: exit 0 when healthy
#   healthcheck.sh --wait SECONDS      probe every 2 s until healthy or SECONDS pass (ExecStartPost)
#   healthcheck.sh --restart-after N   after N unhealthy probes in a row, restart the service
# The token comes from the environment (CRYPTOSCALPER_CONSOLE_TOKEN) and goes to curl on stdin, never on
# a command line that `ps` would show.
set -u
URL="${CRYPTOSCALPER_HEALTH_URL:-http://127.0.0.1:8780/health}"
STATE="${CRYPTOSCALPER_HEALTH_STATE:-/opt/cryptoscalper/state/health-failures}"

probe() {
    printf 'header = "Authorization: Bearer %s"\n' "${CRYPTOSCALPER_CONSOLE_TOKEN:?CRYPTOSCALPER_CONSOLE_TOKEN is not set}" \
        | curl -s -o /dev/null -w '%{http_code}' --max-time 5 -K - "$URL" | grep -q '^200$'
}

case "${1:-}" in
    --wait)
        deadline=$(( $(date +%s) + ${2:-120} ))
        while [ "$(date +%s)" -lt "$deadline" ]; do
            probe && exit 0
            sleep 2
        done
        echo "cryptoscalper: /health not healthy within ${2:-120} s" >&2
        exit 1 ;;
    --restart-after)
        if probe; then
            rm -f "$STATE"
            exit 0
        fi
        failures=$(( $(cat "$STATE" 2>/dev/null || echo 0) + 1 ))
        echo "$failures" > "$STATE"
        echo "cryptoscalper: unhealthy ($failures in a row)" >&2
        if [ "$failures" -ge "${2:-3}" ]; then
            rm -f "$STATE"
            systemctl restart cryptoscalper.service
        fi
        exit 0 ;;
    *)
        probe ;;
esac
