#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The boundary between kms-agent and its rbd plugin: the plugin exports
# only its init and needs nothing of the agent's symbols; the agent
# exports none of its own (no -rdynamic: agent_kms_unwrap and the rest
# stay inside), yet loads the plugin and runs its init.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PLUGIN_DIR=$top/kms-agent/rbd
need_bins "$AGENT" "$PLUGIN_DIR/backend-rbd.so"
command -v nm >/dev/null || { echo "SKIP: no nm (binutils)"; exit 77; }

log "the plugin exports backend_rbd_init and nothing else"
exported=$(nm -D --defined-only "$PLUGIN_DIR/backend-rbd.so" | awk '{ print $3 }')
[ "$exported" = backend_rbd_init ] ||
	fail "backend-rbd.so exports $(echo "$exported" | wc -l) symbols: $(echo "$exported" | tr '\n' ' ')"

log "the plugin leaves nothing for the agent to resolve"
# Every undefined symbol is versioned (a library's); an unversioned one
# other than the weak ones of the C runtime would come from the agent.
from_agent=$(nm -D --undefined-only "$PLUGIN_DIR/backend-rbd.so" |
	awk '$1 == "U" && $2 !~ /@/ && $2 !~ /^(rbd|rados)_/ { print $2 }')
[ -z "$from_agent" ] || fail "backend-rbd.so wants from the agent: $(echo "$from_agent" | tr '\n' ' ')"

log "the agent exports no function of its own"
# Left: the data of libc that the executable holds (stderr, optarg ...).
own=$(nm -D --defined-only "$AGENT" | awk '$2 !~ /^[BD]$/ || $3 !~ /@GLIBC/ { print $3 }')
[ -z "$own" ] || fail "kms-agent exports $(echo "$own" | wc -l) symbols: $(echo "$own" | head -n 5 | tr '\n' ' ')..."
nm -D --defined-only "$AGENT" | grep -q ' agent_kms_' && fail "kms-agent exports agent_kms_*"

log "the agent loads the plugin and runs its init"
echo "LTAIecsencHostTest0001 hostTestSecret0001" >"$work/creds"
chmod 600 "$work/creds"
timeout 20 "$AGENT" --kms-endpoint http://127.0.0.1:9 --credentials "$work/creds" \
	--state-dir "$work/state" --socket "$work/agent.sock" \
	--backend rbd --backend-dir "$PLUGIN_DIR" \
	--ceph-conf "$work/no-such-ceph.conf" --rbd-pool ecsenc >"$work/agent.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
	fail "agent with no Ceph configuration: exit $rc"
fi
grep -q "cannot read the Ceph configuration $work/no-such-ceph.conf" "$work/agent.log" ||
	fail "the plugin's init did not run"
grep -q 'cannot load\|undefined symbol' "$work/agent.log" && fail "the plugin did not load"
[ -d "$work/state/rbd-maps" ] || fail "the plugin's init made no rbd-maps"
log "the plugin refuses a struct backend_host of another version"
mkdir -p "$work/unit"
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$top/tools/lib" -I"$top/kms-agent" \
	$(pkg-config --cflags json-c) "$(dirname "$0")/plugin_host_test.c" -ldl \
	-o "$work/plugin_host_test" || fail "plugin_host_test does not build"
"$work/plugin_host_test" "$PLUGIN_DIR/backend-rbd.so" "$work/unit" || fail "plugin_host_test"
echo PASS
