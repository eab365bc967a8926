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
# The Nu Html Checker runs on Debian's Java; npm brings the checker itself.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Missing:$missing. Install these Debian packages to run the browser, web server and HTML checker tests." >&2
  fi
fi

# From npm, in a folder of this project only: the Nu Html Checker (tests/test_html_checker.py) and
# current axe-core (tests/test_accessibility_in_browser.py). Install scripts stay off: vnu-jar's
# would fetch a Java of its own, and Debian's Java runs it.
tools=.venv/npm/node_modules
if { [ ! -f "$tools/vnu-jar/build/dist/vnu.jar" ] || [ ! -f "$tools/axe-core/axe.min.js" ]; } &&
  command -v npm >/dev/null 2>&1; then
  npm install --prefix .venv/npm --ignore-scripts --no-audit --no-fund --silent \
    'vnu-jar@>=26.9 <27' 'axe-core@>=4.14 <5' >/dev/null 2>&1 ||
    echo "Could not install vnu-jar and axe-core with npm; their tests will say so." >&2
fi

export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
