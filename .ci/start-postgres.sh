#!/usr/bin/env bash
# Installs (from Debian's packages, when missing) and starts PostgreSQL for the store conformance
# suite, then prints the URL the tests read from RIGHTSIZE_TEST_POSTGRES_URL. Run as root.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
cluster=$(pg_lsclusters --no-header | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >&2
  cluster=$(pg_lsclusters --no-header | head -n 1)
fi
version=$(echo "$cluster" | awk '{print $1}')
name=$(echo "$cluster" | awk '{print $2}')
port=$(echo "$cluster" | awk '{print $3}')
pg_ctlcluster "$version" "$name" start >&2 || true
# Ready means a real query answers, not only that the port accepts connections.
for _ in $(seq 1 60); do
  su postgres -c "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $port -qtAc \"select 1 from pg_roles where rolname = 'rightsize'\"" | grep -q 1 ||
  su postgres -c "psql -p $port -qc \"create role rightsize login superuser password 'rightsize'\"" >&2
su postgres -c "psql -p $port -qtAc \"select 1 from pg_database where datname = 'rightsize_test'\"" | grep -q 1 ||
  su postgres -c "createdb -p $port -O rightsize rightsize_test" >&2
echo "postgres://rightsize:rightsize@127.0.0.1:$port/rightsize_test"
