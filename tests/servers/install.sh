#!/usr/bin/env bash
# What the grading-at-scale tests need (tests/test_grader_scale.py): Debian's `postgresql` package (the tests
# start a throwaway server on 127.0.0.1 themselves) and the Python packages of requirements-scale.txt (Dask,
# psycopg, dask-jobqueue). Idempotent and quiet: does nothing when all are there. Fails loudly in CI when it
# cannot install; elsewhere it says what is missing and the tests that need it skip, saying so.
# With --slurm, also Debian's slurm-wlm and munge, for the opt-in `make test-slurm`.
# Usage: tests/servers/install.sh [PYTHON] [--slurm]     (SKIP_SERVER_TESTS=1: do nothing)
set -euo pipefail
PY="${1:-python3}"
SLURM="${2:-}"
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ "${SKIP_SERVER_TESTS:-0}" = "1" ]; then
  echo "grading-at-scale tests skipped on request (SKIP_SERVER_TESTS=1): nothing installed"
  exit 0
fi
fail() {           # in CI a test that cannot run is an error; on a laptop it skips, saying why
  echo "tests/servers/install.sh: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
apt_install() {    # apt_install WHY PACKAGE...
  local why="$1"; shift
  if ! command -v apt-get >/dev/null; then
    fail "$why needs Debian's $* and there is no apt-get to install it"
    return 0
  fi
  echo "installing Debian's $* for $why (apt-get) ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
  apt_install "the PostgreSQL gradebook test" postgresql
  # the package's own cluster is not wanted: the tests start their own server in a temporary folder
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h | while read -r version name _; do $SUDO pg_ctlcluster "$version" "$name" stop || true; done
  fi
fi
if [ "$SLURM" = "--slurm" ] && ! { command -v slurmctld >/dev/null && command -v munged >/dev/null; } \
   && ! { [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/munged ]; }; then
  apt_install "the Slurm test" slurm-wlm munge
fi
if ! "$PY" -c "import distributed, psycopg, dask_jobqueue" >/dev/null 2>&1; then
  echo "installing Dask, psycopg and dask-jobqueue for the grading-at-scale tests ..."
  "$PY" -m pip install -q --disable-pip-version-check -r "$HERE/../../requirements-scale.txt" 2>&1 \
    | { grep -v "is ignored: it is neither" || true; }
  "$PY" -c "import distributed, psycopg, dask_jobqueue"
fi
