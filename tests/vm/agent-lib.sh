# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest tests of kms-agent and ecsenc-ctl: start the KMS
# emulator and the agent on the guest's loopback, stop them at exit.
# Source after lib.sh:
#   . "$TESTLIB"; . "$(dirname "$TESTLIB")/agent-lib.sh"
#
# Sets: ECSENC_STATE (agent state dir), AGENT_SOCK, KMS_ENDPOINT,
# KMS_PID, AGENT_PID.  ctl runs ecsenc-ctl against this agent.

# ext4 needs crc32c; the guest cannot autoload modules (no /sbin/modprobe).
modprobe crc32c_generic 2>/dev/null || true

ECSENC_WORK=${ECSENC_WORK:-$(pwd)}
ECSENC_STATE=$ECSENC_WORK/state
AGENT_SOCK=$ECSENC_WORK/agent.sock
AGENT_LOG=$ECSENC_WORK/agent.log
KMS_LOG=$ECSENC_WORK/kms.log
KMS_DATA=$ECSENC_WORK/kms-data
CREDS=$ECSENC_WORK/credentials
AGENT_PID="" KMS_PID="" KMS_ENDPOINT=""
# The regions the tests use beside the default cn-hangzhou (an agent
# serves no other).
AGENT_REGIONS=cn-shanghai,cn-beijing,eu.test-1
# The agent's access key is also the emulator's admin key (AdvanceClock).
ACCESS_KEY_ID=LTAIecsencGuestTest01

ctl() { ecsenc-ctl --socket "$AGENT_SOCK" "$@"; }

_write_creds() {
	[ -f "$CREDS" ] && return 0
	echo "$ACCESS_KEY_ID guestTestSecret0123456789" >"$CREDS"
	chmod 600 "$CREDS"
}

_wait_for() {		# what pid test...
	local what=$1 pid=$2 i
	shift 2
	for i in $(seq 100); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	echo "timed out waiting for $what" >&2
	return 1
}

# KMS_RUN: the command prefix that runs the emulator and its readiness
# check in another network namespace (rbd-agent-lib.sh's host A); empty
# for the guest's own.
KMS_RUN=()

_kms_answers() {
	# The emulator is up once a socket listens on its port.  A connection
	# alone proves nothing: to a port of the ephemeral range, with nothing
	# listening yet, connect() may pick that same port as its source and
	# connect the socket to itself.  /proc/net/tcp is the reader's
	# namespace's, so it is read through KMS_RUN.
	local port
	port=$(printf '%04X' "${KMS_ENDPOINT##*:}")
	"${KMS_RUN[@]}" awk -v port="$port" \
		'$4 == "0A" && $2 ~ (":" port "$") { up = 1 } END { exit !up }' \
		/proc/net/tcp
}

# _kms_launch [emulator options]: run the emulator at KMS_ENDPOINT and wait
# until it listens; 1 when it exits first.
_kms_launch() {
	local hostport=${KMS_ENDPOINT#http://}

	"${KMS_RUN[@]}" kms-emulator --listen "$hostport" --data-dir "$KMS_DATA" \
		--credentials "$CREDS" --admin-key "$ACCESS_KEY_ID" \
		"$@" >>"$KMS_LOG" 2>&1 &
	KMS_PID=$!
	if _wait_for kms-emulator "$KMS_PID" _kms_answers; then
		on_exit "kill $KMS_PID; wait $KMS_PID"
		return 0
	fi
	kill "$KMS_PID" 2>/dev/null
	wait "$KMS_PID" 2>/dev/null
	KMS_PID=""
	return 1
}

# _kms_start ADDR [emulator options]: the emulator on a free port of ADDR.
_kms_start() {
	local addr=$1 try
	shift
	need kms-emulator
	_write_creds
	mkdir -p "$KMS_DATA"
	for try in 1 2 3 4 5; do
		KMS_ENDPOINT=http://$addr:$((20000 + RANDOM % 20000))
		_kms_launch "$@" && return 0
	done
	cat "$KMS_LOG" >&2
	fail "kms-emulator did not start on $addr"
}

# Start the KMS emulator on a free loopback port.
start_kms() {
	_kms_start 127.0.0.1 "$@"
}

stop_kms() {
	[ -n "$KMS_PID" ] || return 0
	kill "$KMS_PID" 2>/dev/null
	wait "$KMS_PID" 2>/dev/null || true
	KMS_PID=""
}

# Restart the emulator on the same port and data (after stop_kms).
restart_kms() {
	_kms_launch "$@" || fail "kms-emulator did not restart"
}

# Ready once start-up (re-attach included) is over: the agent logs
# "serving" when it sends READY=1.  The socket exists before that.
_agent_ready() {
	[ -S "$AGENT_SOCK" ] &&
		[ "$(grep -c ' info: serving ' "$AGENT_LOG" 2>/dev/null)" -gt "$_serving_before" ]
}

# Start the agent (extra agent options as arguments).
start_agent() {
	need kms-agent ecsenc-ctl
	_write_creds
	rm -f "$AGENT_SOCK"
	_serving_before=$(grep -c ' info: serving ' "$AGENT_LOG" 2>/dev/null || true)
	_serving_before=${_serving_before:-0}
	kms-agent --kms-endpoint "${KMS_ENDPOINT:-http://127.0.0.1:9}" \
		--credentials "$CREDS" --state-dir "$ECSENC_STATE" \
		--socket "$AGENT_SOCK" --regions "$AGENT_REGIONS" "$@" \
		>>"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	if ! _wait_for kms-agent "$AGENT_PID" _agent_ready; then
		cat "$AGENT_LOG" >&2
		fail "kms-agent did not start"
	fi
	on_exit "kill $AGENT_PID; wait $AGENT_PID"
	on_exit "detach_all_disks"
}

stop_agent() {
	kill "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null || true
}

kill9_agent() {
	kill -9 "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null || true
}

# At exit: nothing of ours stays attached (umount first).
detach_all_disks() {
	local dev
	for dev in /dev/mapper/ecsenc-d-*; do
		[ -e "$dev" ] || continue
		umount "$dev" 2>/dev/null
		dmsetup remove --retry "$(basename "$dev")" 2>/dev/null
	done
}

# No key of ours may be left in the kernel's key list.
assert_no_ecsenc_keys() {
	local i
	for i in $(seq 20); do	# invalidated keys are reaped asynchronously
		grep -q 'ecsenc:d-' /proc/keys || return 0
		sleep 0.1
	done
	grep 'ecsenc:d-' /proc/keys >&2
	fail "an ecsenc key is still in /proc/keys"
}

# The marker must not appear anywhere under DIR (in any file).
assert_not_in_dir() {	# marker dir
	if grep -rqaF "$1" "$2"; then
		grep -rlaF "$1" "$2" >&2
		fail "plaintext marker '$1' found under $2"
	fi
}

# One signed KMS call through the agent; prints FIELD of the JSON answer.
kms_field() {		# jq-path action [Name=Value...]
	local path=$1
	shift
	ctl kms "$@" | jq -r "$path"
}

# Move the emulator's clock forward (its admin action AdvanceClock).
advance_kms_clock() {	# days
	ctl kms AdvanceClock Seconds=$(($1 * 86400)) >/dev/null
}

# Usage count of one operation in one region (describe-kms-usage --json).
kms_usage() {		# operation [region]
	ctl --json describe-kms-usage |
		jq -r ".Regions[\"${2:-cn-hangzhou}\"].Operations.$1.KmsCalls // 0"
}
