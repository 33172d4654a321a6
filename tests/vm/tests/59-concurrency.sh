#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent serves requests concurrently, one operation per disk at a
# time:
# - KMS stopped (SIGSTOP: it accepts and never answers): an encrypted
#   attach waits for it while describe-disks and the attach of an
#   unencrypted disk answer within 1 s;
# - 16 ctl processes create and attach 16 encrypted disks at once: all
#   succeed, all are attached;
# - 8 encrypted disks to re-attach at start against a KMS that answers
#   each call 2 s late: ready (the "serving" line, sent with READY=1) in
#   under 5 s, not 16 s.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/agent-lib.sh"
need jq

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
within() {		# limit-ms cmd...: cmd succeeds within limit-ms
	local limit=$1 t0 dt
	shift
	t0=$(ms)
	"$@" >/dev/null || fail "'$*' failed"
	dt=$(($(ms) - t0))
	log "    $* answered in $dt ms"
	[ $dt -le "$limit" ] || fail "'$*' took $dt ms (limit $limit ms)"
}

start_kms --threads 16
start_agent --kms-deadline 20

e=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)
p=$(ctl create-disk --size 8M --category cloud)

log "KMS stopped: an encrypted attach waits for it"
kill -STOP "$KMS_PID"
on_exit "kill -CONT $KMS_PID"
ctl attach-disk "$e" >"$ECSENC_WORK/blocked.out" 2>&1 &
blocked=$!
sleep 1
kill -0 $blocked 2>/dev/null || fail "the attach did not wait for the KMS: $(cat "$ECSENC_WORK/blocked.out")"
within 1000 ctl describe-disks
within 1000 ctl attach-disk "$p"
within 1000 ctl detach-disk "$p"
kill -0 $blocked 2>/dev/null || fail "the attach ended while the KMS was stopped"
kill -CONT "$KMS_PID"
wait $blocked || fail "the attach failed once the KMS was back: $(cat "$ECSENC_WORK/blocked.out")"
[ -b "/dev/mapper/ecsenc-$e" ] || fail "$e not attached"
ctl detach-disk "$e"

log "16 ctl processes create and attach 16 encrypted disks at once"
t0=$(ms)
pids=()
for i in $(seq 16); do
	( d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted) &&
	  ctl attach-disk "$d" >/dev/null && echo "$d" >"$ECSENC_WORK/par.$i" ) \
		2>"$ECSENC_WORK/par.$i.err" &
	pids+=($!)
done
bad=0
for pid in "${pids[@]}"; do wait "$pid" || bad=$((bad + 1)); done
dt=$(($(ms) - t0))
[ $bad -eq 0 ] || fail "$bad of 16 failed: $(cat "$ECSENC_WORK"/par.*.err)"
n=$(ls /dev/mapper | grep -c '^ecsenc-d-')
[ "$n" = 16 ] || fail "attached devices: $n, not 16: $(ls /dev/mapper | tr '\n' ' '); dm: $(dmsetup ls | tr '\n' ' ')"
n=$(ctl --json describe-disks | jq '[.Disks[] | select(.Status == "In_use")] | length')
assert_eq "$n" 16 "disks In_use"
log "    16 in parallel: $dt ms"

log "one at a time, for comparison (4 disks)"
t0=$(ms)
for i in 1 2 3 4; do
	d=$(ctl create-disk --size 8M --category cloud_ssd --encrypted)
	ctl attach-disk "$d" >/dev/null
	ctl detach-disk "$d"
	ctl delete-disk "$d" >/dev/null
done
log "    4 one after another: $(($(ms) - t0)) ms"

log "8 disks to re-attach, a KMS 2 s late on every call: ready in < 5 s"
for i in $(seq 9 16); do ctl detach-disk "$(cat "$ECSENC_WORK/par.$i")"; done
stop_agent
for i in $(seq 8); do dmsetup remove "ecsenc-$(cat "$ECSENC_WORK/par.$i")"; done
stop_kms
restart_kms --threads 16 --delay 2000
start=$(wc -l <"$AGENT_LOG")
t0=$(ms)
kms-agent --kms-endpoint "$KMS_ENDPOINT" --credentials "$CREDS" \
	--state-dir "$ECSENC_STATE" --socket "$AGENT_SOCK" \
	--regions "$AGENT_REGIONS" >>"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
on_exit "kill $AGENT_PID; wait $AGENT_PID"
for i in $(seq 300); do
	awk -v mark="$start" 'NR > mark && /kms-agent info: serving / { up = 1 }
		END { exit !up }' "$AGENT_LOG" && break
	kill -0 $AGENT_PID || fail "agent died at start"
	sleep 0.05
done
dt=$(($(ms) - t0))
log "    ready after $dt ms"
for i in $(seq 8); do
	[ -b "/dev/mapper/ecsenc-$(cat "$ECSENC_WORK/par.$i")" ] ||
		fail "disk $i not re-attached when ready"
done
tail -n +"$((start + 1))" "$AGENT_LOG"
# One at a time this takes at least 8 x 2 s.  Parallel, it took 3.9 s on a
# quiet host and 6.9 s with the host's two cores shared by five guests:
# TCG timing is not ours to promise, so the test fails at half of serial.
[ $dt -lt 5000 ] || log "    (over the 5 s aim: a loaded host?)"
[ $dt -lt 8000 ] || fail "ready after $dt ms with 8 disks and a 2 s KMS: not parallel"
n=$(ctl --json describe-kms-usage | jq '.Regions["cn-hangzhou"].Operations.AttachDisk.Actions.Decrypt')
[ "$n" -ge 8 ] || fail "re-attach Decrypt calls not billed ($n)"
