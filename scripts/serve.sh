#!/usr/bin/env bash
# The production stack on one machine, from one command: gunicorn, a Celery worker and Celery beat
# on PostgreSQL and Redis, DEBUG off, static files compressed and cache-busted by whitenoise.
# Every setting can be overridden from the environment (see README.md, "Running in production").
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
VAR_DIR="${VAR_DIR:-var}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"

export DEBUG=false
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Plain http on this machine: no redirect to https. Behind a TLS proxy, leave it unset (true).
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kiosque}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export SITE_URL="${SITE_URL:-http://localhost:$PORT}"

mkdir -p "$VAR_DIR"
if [ -z "${SECRET_KEY:-}" ]; then
  # Generated once and kept, so that sessions and signed links survive a restart.
  if [ ! -s "$VAR_DIR/secret_key" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR_DIR/secret_key")
    echo "serve: generated a SECRET_KEY in $VAR_DIR/secret_key"
  fi
  SECRET_KEY="$(cat "$VAR_DIR/secret_key")"
  export SECRET_KEY
fi

scripts/ensure_services.sh "$DATABASE_URL" "$REDIS_URL"
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0

pids=()
names=()
start() {
  local name="$1"
  shift
  "$@" &
  pids+=("$!")
  names+=("$name")
  echo "serve: started $name (pid $!)"
}

stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap '' TERM INT
  echo "serve: stopping ${names[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # gunicorn and the worker finish what they are doing first; give them a bounded time.
  for _ in $(seq 1 60); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait || true
  echo "serve: stopped"
}
trap 'stop; exit 0' TERM INT

start web "$VENV/bin/gunicorn" config.wsgi \
  --bind "$HOST:$PORT" \
  --workers "$WEB_CONCURRENCY" \
  --timeout "${GUNICORN_TIMEOUT:-30}" \
  --graceful-timeout 20 \
  --max-requests 20000 --max-requests-jitter 2000 \
  --access-logfile /dev/null \
  --control-socket "$VAR_DIR/gunicorn.ctl"
start worker "$VENV/bin/celery" -A config worker \
  --loglevel INFO --concurrency "$CELERY_CONCURRENCY" --without-mingle --without-gossip
start beat "$VENV/bin/celery" -A config beat \
  --loglevel INFO --schedule "$VAR_DIR/celerybeat-schedule"

echo "serve: http://localhost:$PORT/ (health: /healthz); Ctrl-C stops everything"
# One process dying takes the others down: a half-running stack would hide the failure.
status=0
wait -n || status=$?
if [ "$stopping" = 0 ]; then
  echo "serve: a process exited (status $status); stopping the others" >&2
  stop
  [ "$status" = 0 ] && status=1
  exit "$status"
fi
