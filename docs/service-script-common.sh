# Sourced by the service's measurement scripts (service-benchmark.sh, overload-benchmark.sh, hostile-soak.sh):
# a work folder, the pid of the service they start, waiting until it is ready, and on exit a SIGTERM to it (it
# drains, then stops), its log kept at KEEP_LOG if that is set, and the work folder removed.
work=$(mktemp -d)
service_pid=

cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  if [ -n "${KEEP_LOG:-}" ] && [ -f "$work/service.log" ]; then cp "$work/service.log" "$KEEP_LOG"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Waits up to 60 s until the service started as $service_pid (logging to $work/service.log) answers ready at $1.
wait_until_ready() {
  for _ in $(seq 1 600); do
    curl -fsS "$1/healthz/ready" >/dev/null 2>&1 && return 0
    kill -0 "$service_pid" 2>/dev/null || { echo "the service exited:" >&2; cat "$work/service.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the service is not ready after 60 s:" >&2; cat "$work/service.log" >&2; exit 1
}
