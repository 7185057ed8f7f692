# Sourced by the service's measurement scripts (service-benchmark.sh, overload-benchmark.sh, hostile-soak.sh):
# a work folder, the pid of the service they start, and on exit a SIGTERM to it (it drains, then stops), its
# log kept at KEEP_LOG if that is set, and the work folder removed.
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
