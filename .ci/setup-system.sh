#!/usr/bin/env bash
# Install the Debian packages Workup needs, if any is missing. As root it installs them; otherwise it
# prints the exact apt-get line to run and fails, so nothing is silently skipped.
# `setup-system.sh runtime` installs only what a production server needs (no browser, no test tools).
set -euo pipefail

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
have_pkg libharfbuzz-subset0 || missing+=(libharfbuzz-subset0)   # WeasyPrint font subsetting (2.5x faster)
have_pkg libpango-1.0-0 || missing+=(libpango-1.0-0)             # WeasyPrint text layout
have_pkg fonts-dejavu-core || missing+=(fonts-dejavu-core)       # the letter's embedded font
have_pkg python3-venv || missing+=(python3-venv)                 # python3 -m venv for the app's virtualenv
if [ "${1:-}" != runtime ]; then
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)      # tests read and picture the PDFs
  [ -x /usr/bin/chromium ] || missing+=(chromium)                 # headless browser for end-to-end tests
  command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$line'" >&2
  exit 1
fi
