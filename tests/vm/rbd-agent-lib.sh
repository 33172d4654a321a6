# SPDX-License-Identifier: GPL-2.0
#
# Agents on the rbd backend, one per "host" of tests/vm/ceph-lib.sh, for
# tests that declare "# needs: ceph".  Source after lib.sh, ceph-lib.sh and
# agent-lib.sh:
#   . "$TESTLIB"; . "${TESTLIB%/*}/ceph-lib.sh"; . "${TESTLIB%/*}/agent-lib.sh"
#   . "${TESTLIB%/*}/rbd-agent-lib.sh"
#
#   rbd_kms_start          the KMS emulator on host A, 10.99.0.1, reachable
#                          from both hosts (over plain http, off loopback:
#                          the agents run with --kms-allow-http)
#   rbd_agent_start H [OPTS]  the agent of host H (a or b), instance id
#                          host-H, dm devices ecsenc-H-<disk>, state under
#                          $ECSENC_WORK/host-H
#   rbd_agent_kill9 H      host H's agent dies (its holds stay in Ceph)
#   ctl_a / ctl_b ARGS     ecsenc-ctl against that host's agent
#   pool_images            the pool's image names, sorted
#
# Two agents share one kernel here, so each names its dm devices with its
# own prefix (--dm-prefix); on real hosts the default is right.

RBD_AGENT_PLUGINS=/opt/ceph/lib/ecsenc
declare -A RBD_AGENT_PID

rbd_kms_start() {
	KMS_RUN=("$CEPH_BIN/ip" netns exec hosta)
	_kms_start "$CEPH_ADDR_A"
}

_rbd_dir() { echo "$ECSENC_WORK/host-$1"; }

_rbd_agent_ready() {	# host serving-count-before
	local d
	d=$(_rbd_dir "$1")
	[ -S "$d/agent.sock" ] &&
		[ "$(grep -c ' info: serving ' "$d/agent.log" 2>/dev/null)" -gt "$2" ]
}

rbd_agent_start() {	# a|b [agent options]
	local h=$1 d before pid
	shift
	d=$(_rbd_dir "$h")
	mkdir -p "$d"
	rm -f "$d/agent.sock"
	before=$(grep -c ' info: serving ' "$d/agent.log" 2>/dev/null || true)
	# Not through on_host_X: $! must be the agent (ip netns exec execs it).
	LD_LIBRARY_PATH=/opt/ceph/lib "$CEPH_BIN/ip" netns exec "host$h" \
		kms-agent --kms-endpoint "$KMS_ENDPOINT" --credentials "$CREDS" \
		--state-dir "$d/state" --socket "$d/agent.sock" \
		--regions "$AGENT_REGIONS" --kms-allow-http \
		--backend rbd --ceph-conf /etc/ceph/ceph.conf --rbd-pool "$RBD_POOL" \
		--instance-id "host-$h" --dm-prefix "ecsenc-$h" \
		--backend-dir "$RBD_AGENT_PLUGINS" "$@" >>"$d/agent.log" 2>&1 &
	pid=$!
	RBD_AGENT_PID[$h]=$pid
	# Connecting to Ceph and reading the pool take seconds under TCG.
	for _ in $(seq 600); do
		_rbd_agent_ready "$h" "${before:-0}" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! _rbd_agent_ready "$h" "${before:-0}"; then
		cat "$d/agent.log" >&2
		fail "the agent of host $h did not start"
	fi
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	on_exit "_rbd_detach_all $h"
}

rbd_agent_stop() {	# a|b
	kill "${RBD_AGENT_PID[$1]}" 2>/dev/null
	wait "${RBD_AGENT_PID[$1]}" 2>/dev/null || true
}

rbd_agent_kill9() {	# a|b
	kill -9 "${RBD_AGENT_PID[$1]}" 2>/dev/null
	wait "${RBD_AGENT_PID[$1]}" 2>/dev/null || true
}

rbd_agent_log() { cat "$(_rbd_dir "$1")/agent.log"; }

# At exit: this host's devices and mappings go (umount first).
_rbd_detach_all() {	# a|b
	local dev f
	for dev in /dev/mapper/ecsenc-"$1"-d-*; do
		[ -e "$dev" ] || continue
		umount "$dev" 2>/dev/null
		dmsetup remove --retry "$(basename "$dev")" 2>/dev/null
	done
	for f in "$(_rbd_dir "$1")"/state/rbd-maps/*; do
		[ -e "$f" ] && rbd_unmap "$(cat "$f")" 2>/dev/null
	done
	return 0
}

ctl_a() { ecsenc-ctl --socket "$(_rbd_dir a)/agent.sock" "$@"; }
ctl_b() { ecsenc-ctl --socket "$(_rbd_dir b)/agent.sock" "$@"; }

pool_images() { rbd_cli ls "$RBD_POOL" | sort; }

# A command that fails under set -e says which, with the agents' last words.
_rbd_on_err() {
	local h
	echo "FAIL: line $1: $2" >&2
	for h in a b; do
		[ -s "$(_rbd_dir "$h")/agent.log" ] || continue
		echo "--- last lines of host $h's agent log" >&2
		tail -n 15 "$(_rbd_dir "$h")/agent.log" >&2
	done
}
set -E
trap '_rbd_on_err "$LINENO" "$BASH_COMMAND"' ERR
