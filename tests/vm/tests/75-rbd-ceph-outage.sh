#!/usr/bin/env bash
# needs: ceph
# SPDX-License-Identifier: GPL-2.0
# Ceph goes away under a running agent (rbd backend) and comes back.
# While it is away: requests that need it fail within a bound, in words
# that name Ceph; KMS-only requests still answer; describe-disks says it
# cannot tell who holds a disk instead of dropping the attachment; a
# detach whose release in Ceph fails says so; a delete removes nothing.
# Once it is back, the same agent (not restarted) creates, attaches,
# detaches and deletes again, finishes the failed detach, and the data
# written before and during the outage reads back through dm-ecsenc.
. "$TESTLIB"
. "${TESTLIB%/*}/ceph-lib.sh"
. "${TESTLIB%/*}/agent-lib.sh"
. "${TESTLIB%/*}/rbd-agent-lib.sh"
need jq
default_kernel_only
ceph_start
rbd_kms_start

# Short librados timeouts, in a copy of ceph.conf only this agent reads.
# Its name stays ceph.conf: librados names the cluster after the file, and
# finds the keyring (/etc/ceph/$cluster.$name.keyring) by that name.
conf=$ECSENC_WORK/outage/ceph.conf
mkdir -p "${conf%/*}"
sed -e 's/^client mount timeout = .*/client mount timeout = 8/' \
	-e 's/^rados mon op timeout = .*/rados mon op timeout = 8/' \
	-e 's/^rados osd op timeout = .*/rados osd op timeout = 8/' \
	/etc/ceph/ceph.conf >"$conf"
assert_eq "$(grep -c '^\(client mount\|rados mon op\|rados osd op\) timeout = 8$' "$conf")" 3 \
	"timeouts in the test's ceph.conf"
rbd_agent_start a --ceph-conf "$conf"
agent_pid=${RBD_AGENT_PID[a]}

now() { date +%s; }
mon_osd_start() {
	pidof ceph-mon >/dev/null || on_host_a ceph-mon -i a >>/tmp/ceph-mon.out 2>&1
	pidof ceph-osd >/dev/null || on_host_a ceph-osd -i 0 >>/tmp/ceph-osd.out 2>&1
}
# Whatever happens here, the cluster is left running.
on_exit mon_osd_start

log "before the outage: an encrypted disk with data, a second one attached, a third detached"
d=$(ctl_a create-disk --size 64M --category cloud_ssd --encrypted)
dev=$(ctl_a attach-disk "$d")
e=$(ctl_a create-disk --size 32M --category cloud_ssd --encrypted)
ctl_a attach-disk "$e" >/dev/null
u=$(ctl_a create-disk --size 32M --category cloud_efficiency)
pattern_file before.dat 8 11
pattern_file during.dat 1 12
dd if=before.dat of="$dev" bs=1M oflag=direct status=none || fail "write before the outage"
images=$(pool_images)

log "the outage: mon and osd killed"
kill -9 $(pidof ceph-mon) $(pidof ceph-osd)
t_down=$(now)
# A write through dm-ecsenc during the outage: the kernel client holds it.
dd if=during.dat of="$dev" bs=1M seek=16 oflag=direct status=none &
dd_pid=$!

t0=$(now)
must_fail --error "Ceph cluster unreachable (rbd pool $RBD_POOL)" \
	ctl_a create-disk --size 32M --category cloud_ssd --encrypted
took=$(($(now) - t0))
log "create-disk failed in $took s: $LAST_ERR"
[ "$took" -le 40 ] || fail "create-disk took $took s to fail (bound 40 s)"

# A KMS-only request answers at once, even beside a request waiting on Ceph.
ctl_a --json describe-disks "$d" >outage-desc.json 2>&1 &
desc_pid=$!
sleep 1
t0=$(now)
ctl_a describe-kms-usage >/dev/null || fail "describe-kms-usage during the outage"
took=$(($(now) - t0))
log "describe-kms-usage answered in $took s"
[ "$took" -le 5 ] || fail "describe-kms-usage took $took s during the outage"
wait "$desc_pid" || fail "describe-disks during the outage: $(cat outage-desc.json)"
log "describe-disks answered in $(($(now) - t0 + 1)) s"
assert_eq "$(jq -r '.Disks[0].AttachmentsUnknown' outage-desc.json)" true \
	"AttachmentsUnknown during the outage"
jq -r '.Disks[0].AttachmentsError' outage-desc.json | grep -q 'Ceph cluster unreachable' ||
	fail "AttachmentsError: $(jq -c '.Disks[0]' outage-desc.json)"
assert_eq "$(jq -r '.Disks[0].Attachments[0].InstanceId' outage-desc.json)" host-a \
	"this host's own attachment, kept during the outage"

t0=$(now)
must_fail --error "detach-disk $e again releases it" ctl_a detach-disk "$e"
log "detach-disk failed in $(($(now) - t0)) s: $LAST_ERR"
grep -q 'Ceph cluster unreachable' <<<"$LAST_ERR" || fail "detach error: $LAST_ERR"
dmsetup info "ecsenc-a-$e" >/dev/null 2>&1 && fail "the device of $e outlived its detach"

t0=$(now)
must_fail --error "Ceph cluster unreachable" ctl_a delete-disk "$u"
log "delete-disk failed in $(($(now) - t0)) s: $LAST_ERR"
{ ctl_a --json delete-disk "$u" || true; } | jq -e '.Code == "ServiceUnavailable"' >/dev/null ||
	fail "delete-disk during the outage: not ServiceUnavailable"
# A listing asks Ceph who holds each disk (the pool may hold disks of
# earlier tests too): the first waits out the connect timeout, the
# others carry its error instead of waiting again.
t0=$(now)
ctl_a --json describe-disks >outage-all.json || fail "describe-disks of all during the outage"
took=$(($(now) - t0))
log "describe-disks of $(jq '.Disks | length' outage-all.json) disks answered in $took s"
[ "$took" -le 14 ] || fail "describe-disks took $took s (bound 14 s: one connect timeout)"
assert_eq "$(jq --arg d "$d" --arg e "$e" --arg u "$u" \
	'[.Disks[] | select(.DiskId == $d or .DiskId == $e or .DiskId == $u) |
	  select(.AttachmentsUnknown)] | length' outage-all.json)" 3 \
	"this test's disks whose attachments are unknown during the outage"
jq -e ".Disks | map(.DiskId) | index(\"$u\") != null" outage-all.json >/dev/null ||
	fail "$u is no longer listed after the failed delete"
kill -0 "$dd_pid" 2>/dev/null || fail "the write during the outage ended while Ceph was away"

log "Ceph back ($(($(now) - t_down)) s after it went), the agent not restarted"
mon_osd_start
_ceph_deadline=$(($(now) + 120))
_ceph_wait "osd.0 up again" _ceph_osd_up
t_up=$(now)
wait "$dd_pid" || fail "the write issued during the outage failed"
log "the write issued during the outage completed $(($(now) - t_up)) s after osd.0 was up"

t0=$(now)
n=$(ctl_a create-disk --size 32M --category cloud_ssd --encrypted)
log "create-disk works again $(($(now) - t_up)) s after osd.0 was up (took $(($(now) - t0)) s)"
kill -0 "$agent_pid" 2>/dev/null || fail "the agent is gone"
grep -q 'connected to the Ceph cluster again' "$(_rbd_dir a)/agent.log" ||
	fail "no reconnect in the agent's log"
assert_eq "$(grep -c 'lost the Ceph cluster' "$(_rbd_dir a)/agent.log")" 1 \
	"times the agent logged that it lost the cluster, for one outage"
ndev=$(ctl_a attach-disk "$n")
dd if=during.dat of="$ndev" bs=1M oflag=direct status=none || fail "write to the new disk"
assert_eq "$(sha_of "$ndev" $((1024 * 1024)))" "$(sha_of during.dat)" "the new disk reads back"
ctl_a detach-disk "$n" >/dev/null
ctl_a delete-disk "$n" >/dev/null

log "the failed detach is finished by a second one"
ctl_a detach-disk "$e" >/dev/null
lockers=$(rbd_cli lock ls "$RBD_POOL/cn-hangzhou.$e")
grep -q host-a <<<"$lockers" && fail "host-a still holds $e after the second detach: $lockers"
ctl_a --json describe-disks "$e" | jq -e '.Disks[0].Attachments == [] and
	(.Disks[0] | has("AttachmentsUnknown") | not)' >/dev/null ||
	fail "describe after the second detach: $(ctl_a --json describe-disks "$e")"

log "the data written before and during the outage, through a fresh mapping"
ctl_a detach-disk "$d" >/dev/null
dev=$(ctl_a attach-disk "$d")
assert_eq "$(sha_of "$dev" $((8 * 1024 * 1024)))" "$(sha_of before.dat)" "data written before"
assert_eq "$(sha_of "$dev" $((1024 * 1024)) $((16 * 1024 * 1024)))" "$(sha_of during.dat)" \
	"data written during the outage"
ctl_a detach-disk "$d" >/dev/null

log "the delete refused during the outage works now, and leaves no image"
assert_eq "$(pool_images)" "$images" "the pool after the outage"
for x in "$u" "$e" "$d"; do
	ctl_a delete-disk "$x" >/dev/null
done
pool_images | grep -q "cn-hangzhou\.\($u\|$e\|$d\)" && fail "images left: $(pool_images)"
grep ' rbd: ' "$(_rbd_dir a)/agent.log" | sed 's/^/    agent: /'
log "Ceph outage: ok"
