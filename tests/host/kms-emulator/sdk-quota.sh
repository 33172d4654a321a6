#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The customer-key quota (--max-keys) and the service key outside it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start --max-keys 3
kms_node quota.js 3
