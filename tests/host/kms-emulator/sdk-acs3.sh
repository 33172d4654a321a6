#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ACS3-HMAC-SHA256 signatures (official @alicloud/openapi-client).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start
kms_node acs3.js
