#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Clock-driven behaviour: deletion window (crypto-shredding), rotation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start
kms_node lifecycle.js
