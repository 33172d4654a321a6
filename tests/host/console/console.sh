#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The console (/console/ of ecs-api) in a real browser: Debian's chromium,
# headless, driven by playwright-core (npm, pinned here).  An agent on
# this host does the work (local backend, no kernel: the attach is in the
# VM story, tests/vm/ecs-api/run.sh).  SCREENSHOTS=DIR keeps a picture of
# every page there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ecs-api/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: $CHROMIUM missing (scripts/install-deps.sh installs it)"; exit 77; }
need_bins
node_deps
console_deps "$here"
write_creds
add_instance i-host1
add_instance i-host2
start_kms
start_api --console-idle-timeout 4
start_agent i-host1
CHROMIUM=$CHROMIUM SCREENSHOTS=${SCREENSHOTS:-} CONSOLE_URL="$API_URL/console/" \
	sdk ../../console/console.js
# Nothing secret in the server's log: the secret of the user who signed in.
! grep -q "$ECS_SECRET" "$T/api.log" || { echo "FAIL: the AccessKey secret is in ecs-api's log"; exit 1; }
echo "ok   the AccessKey secret is nowhere in ecs-api's log"
