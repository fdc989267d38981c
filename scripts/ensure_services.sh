#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer before the tests run: start them if we can, else fail.
set -uo pipefail
DATABASE_URL="$1"
REDIS_URL="$2"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = "PONG" ]; }

if ! command -v pg_isready >/dev/null || ! command -v redis-cli >/dev/null; then
  scripts/apt_install.sh postgresql-client redis-tools || true
fi

if ! pg_up; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start it…"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
fi
if ! pg_up; then
  echo "error: PostgreSQL is required at 127.0.0.1:5432 for the tests (locking, full-text search)." >&2
  echo "       Start it (pg_ctlcluster <version> main start) or install it (apt-get install postgresql)." >&2
  exit 1
fi

if ! redis_up; then
  echo "Redis is not answering at $REDIS_URL; trying to start it…"
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/kiosque-redis.log || true
  fi
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
if ! redis_up; then
  echo "error: Redis is required at $REDIS_URL for the tests (Celery broker, shared rate limits)." >&2
  echo "       Start it (redis-server) or install it (apt-get install redis-server)." >&2
  exit 1
fi

dbname="${DATABASE_URL##*/}"
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='${dbname}'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"${dbname}\"" >/dev/null
fi
echo "PostgreSQL and Redis are up."
