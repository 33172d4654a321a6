#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every acknowledged key and state change survives kill -9 of the emulator
# in the middle of a stream of writes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
node_deps
kms_build_emulator
kms_setup
kms_start --max-keys 1000000
kms_node persist.js churn "$KMS_TMP/acked.jsonl" &
churn=$!
sleep 1.5
kms_stop KILL
wait "$churn"
kms_start
kms_node persist.js verify "$KMS_TMP/acked.jsonl"
