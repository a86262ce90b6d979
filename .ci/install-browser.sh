#!/usr/bin/env bash
# Install the system Chromium that the browser tests drive (via Playwright's executable_path).
# Uses Debian's package only; never `playwright install` (it downloads a browser from the internet).
set -euo pipefail

CHROMIUM="${ATTRIBUTION_CHROMIUM:-/usr/bin/chromium}"

if [[ -x "$CHROMIUM" ]]; then
    echo "chromium already present: $CHROMIUM"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo -E"
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
"$CHROMIUM" --version
