#!/bin/sh
# Sets up everything the test suite needs on a fresh machine, then runs it.
# This is the README's test command; CI runs it too. Extra arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
# The publishing tests serve the built site with Debian's nginx, started by the tests themselves
# on a free port (the package may also start its own service on port 80).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Missing:$missing. Install these Debian packages to run the browser and web server tests." >&2
  fi
fi

export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
