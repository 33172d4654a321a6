# SPDX-License-Identifier: GPL-2.0
# Helpers for the host tests of kms-agent and ecsenc-ctl (sourced).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
AGENT=$top/kms-agent/kms-agent
CTL_BIN=$top/tools/ecsenc-ctl/ecsenc-ctl
EMULATOR=$top/tools/kms-emulator/kms-emulator
work=$(mktemp -d /tmp/ecsenc-host.XXXXXX)
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$work/agent.log" ] && tail -n 20 "$work/agent.log" >&2; exit 1; }
log() { echo "--- $*"; }
need_bins() {
	local b
	for b in "$@"; do [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }; done
}

. "$top/tests/lib/assert.sh"
. "$top/tests/lib/tcp.sh"

# The regions the tests use beside the default cn-hangzhou; an agent
# serves no other.
AGENT_REGIONS=${AGENT_REGIONS-cn-shanghai,cn-beijing,eu.test-1}

# start_agent ENDPOINT [agent options...]: agent on $work/agent.sock,
# serving cn-hangzhou and $AGENT_REGIONS
start_agent() {
	local endpoint=$1 i before
	shift
	before=$(grep -c ' info: serving ' "$work/agent.log" 2>/dev/null || true)
	[ -f "$work/creds" ] || { echo "LTAIecsencHostTest0001 hostTestSecret0001" >"$work/creds"; chmod 600 "$work/creds"; }
	"$AGENT" --kms-endpoint "$endpoint" --credentials "$work/creds" \
		--state-dir "$work/state" --socket "$work/agent.sock" \
		${AGENT_REGIONS:+--regions "$AGENT_REGIONS"} "$@" \
		>>"$work/agent.log" 2>&1 &
	agent_pid=$!
	pids+=("$agent_pid")
	# Ready when start-up is over ("serving", sent with READY=1), not when
	# the socket appears: it is bound before the re-attach pass.
	for i in $(seq 50); do
		[ -S "$work/agent.sock" ] &&
			[ "$(grep -c ' info: serving ' "$work/agent.log" 2>/dev/null)" -gt "${before:-0}" ] &&
			return 0
		kill -0 "$agent_pid" 2>/dev/null || fail "agent died at start"
		sleep 0.1
	done
	fail "agent socket never appeared"
}

stop_agent() {
	kill "$agent_pid" && wait "$agent_pid" 2>/dev/null
	rm -f "$work/agent.sock"
}

ctl() { "$CTL_BIN" --socket "$work/agent.sock" "$@"; }


# build_tool NAME [PKG...]: compile tests/host/agent/NAME.c (against
# tools/lib, json-c, openssl and the PKGs) to $work/NAME.
build_tool() {
	local here name=$1
	here=$(dirname "${BASH_SOURCE[0]}")
	shift
	make -s -C "$top/tools/lib" >/dev/null || fail "cannot build tools/lib"
	# shellcheck disable=SC2046
	cc -std=gnu11 -Wall -Wextra -I"$top/tools/lib" "$here/$name.c" \
		"$top/tools/lib/libecsenc.a" $(pkg-config --libs json-c openssl "$@") \
		-o "$work/$name" || fail "cannot build $name"
}

# send_raw: standard input to the agent as one request; the reply on stdout.
send_raw() { "$work/agent_send" "$work/agent.sock"; }

# start_emulator [emulator options...]: the KMS emulator on a free port of
# 127.0.0.1, its data in $work/$EMU and its log in $work/$EMU.log ($EMU:
# kms unless set, for a second emulator); sets kms_url and kms_pid.
start_emulator() {
	local port name=${EMU:-kms}
	[ -f "$work/creds" ] || { echo "LTAIecsencHostTest0001 hostTestSecret0001" >"$work/creds"; chmod 600 "$work/creds"; }
	mkdir -p "$work/$name"
	port=$(tcp_free_port)
	"$EMULATOR" --listen "127.0.0.1:$port" --data-dir "$work/$name" \
		--credentials "$work/creds" --admin-key LTAIecsencHostTest0001 --quiet \
		"$@" >"$work/$name.log" 2>&1 &
	kms_pid=$!
	pids+=($!)
	tcp_wait_listen "$kms_pid" "$port" ||
		fail "kms-emulator did not start: $(tail -n 5 "$work/$name.log")"
	kms_url=http://127.0.0.1:$port
}
