#!/usr/bin/env bash
# Install Debian packages the project needs (gettext, chromium), or say clearly why we cannot.
set -euo pipefail
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null; then
  echo "error: these Debian packages are needed: $*. Install them (apt-get install $*) and retry." >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
echo "Installing Debian packages: $*"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
