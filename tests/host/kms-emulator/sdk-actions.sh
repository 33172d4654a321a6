#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every action, happy path, through the official Node SDK.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start
kms_node actions.js
