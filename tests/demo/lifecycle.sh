#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The encrypted-disk lifecycle, told for a new user.  Runs inside the test
# guest (make demo, through tests/demo/demo.sh, or on its own with
# tests/vm/run-vm.sh --script tests/demo/lifecycle.sh): a KMS emulator, the
# agent and ecsenc-ctl, all on the guest's loopback.
. "${TESTLIB:-/ecsenc/tests/vm/lib.sh}"
. "$(dirname "${TESTLIB:-/ecsenc/tests/vm/lib.sh}")/agent-lib.sh"
need mkfs.ext4 jq

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {			# show a command, run it, show its output
	printf '$ %s\n' "$*" | sed "s|--socket $AGENT_SOCK ||" >&2
	"$@"
}
C=(ecsenc-ctl --socket "$AGENT_SOCK")

say "Start a KMS (the emulator) and the ecsenc agent"
start_kms
start_agent
echo "KMS at $KMS_ENDPOINT, agent socket $AGENT_SOCK"

say "1. Create an encrypted cloud_ssd disk with the region's service key (alias/acs/ecs)"
d=$(run "${C[@]}" create-disk --size 64M --category cloud_ssd --encrypted)
echo "$d"
run "${C[@]}" describe-disks

say "2. Attach it: the agent asks the KMS to unwrap the data key and hands it to the kernel"
dev=$(run "${C[@]}" attach-disk "$d")
echo "$dev"
run dmsetup table "ecsenc-$d"
echo "(the table names a keyring key, never key bytes)"
printf 'ecsenc keys left in /proc/keys: '
assert_no_ecsenc_keys && echo none

say "3. Use it like any disk"
mkdir -p /mnt/demo
run mkfs.ext4 -q "$dev"
run mount "$dev" /mnt/demo
echo "quarterly numbers: TOP-SECRET-DEMO-MARKER" >/mnt/demo/report.txt
run cat /mnt/demo/report.txt
run umount /mnt/demo
sync
printf 'Searching the state dir for the plaintext marker: '
assert_not_in_dir TOP-SECRET-DEMO-MARKER "$ECSENC_STATE" && echo "not found (only ciphertext is stored)"

say "4. Snapshot it, detach it, and make a new disk from the snapshot (same data key)"
s=$(run "${C[@]}" create-snapshot "$d")
echo "$s"
run "${C[@]}" detach-disk "$d"
d2=$(run "${C[@]}" create-disk --snapshot-id "$s")
echo "$d2"
dev2=$(run "${C[@]}" attach-disk "$d2")
mount -o ro "$dev2" /mnt/demo
run cat /mnt/demo/report.txt
umount /mnt/demo
run "${C[@]}" detach-disk "$d2"

say "5. Bring your own key: a CMK you control"
cmk=$("${C[@]}" kms CreateKey Description=demo-byok | jq -r .KeyMetadata.KeyId)
echo "created CMK $cmk"
b=$(run "${C[@]}" create-disk --size 16M --category cloud_efficiency --encrypted --kms-key-id "$cmk")
echo "$b"
run "${C[@]}" kms DisableKey KeyId="$cmk" >/dev/null
echo "Key disabled. Attaching now:"
run "${C[@]}" attach-disk "$b" || echo "(refused, as it should be)"
run "${C[@]}" kms EnableKey KeyId="$cmk" >/dev/null
echo "Key enabled again:"
run "${C[@]}" attach-disk "$b"
run "${C[@]}" detach-disk "$b"
run "${C[@]}" kms ScheduleKeyDeletion KeyId="$cmk" PendingWindowInDays=7 >/dev/null
echo "Deletion scheduled; 8 days pass on the KMS clock..."
advance_kms_clock 8
run "${C[@]}" attach-disk "$b" || echo "(the key is gone: this disk's data is unreadable for good)"

say "6. What ECS does not allow, and what to do instead"
run "${C[@]}" create-disk --size 16M --category cloud_essd --encrypted || true
p=$(run "${C[@]}" create-disk --size 16M --category cloud_essd)
run "${C[@]}" encrypt-disk "$p" || true
e=$(run "${C[@]}" create-disk --size 16M --category cloud_ssd --encrypted)
run "${C[@]}" copy-disk "$p" "$e"

say "7. What the KMS calls cost: describe-kms-usage"
run "${C[@]}" describe-kms-usage

say "8. The agent can die; disks stay up and a new agent takes over"
dev=$("${C[@]}" attach-disk "$d")
kill9_agent
echo "agent killed with kill -9; the disk still works:"
mount -o ro "$dev" /mnt/demo && cat /mnt/demo/report.txt && umount /mnt/demo
start_agent
run "${C[@]}" describe-disks "$d"
run "${C[@]}" detach-disk "$d"

say "9. Key lifecycle: rewrap after rotation, encryption by default, snapshot copies, the audit trail"
k=$("${C[@]}" kms CreateKey Description=demo-rotation | jq -r .KeyMetadata.KeyId)
r=$("${C[@]}" create-disk --size 16M --category cloud_ssd --encrypted --kms-key-id "$k")
rdev=$("${C[@]}" attach-disk "$r")
echo "rotation data" | dd of="$rdev" bs=4096 conv=sync oflag=direct status=none
run "${C[@]}" kms CreateKeyVersion KeyId="$k" >/dev/null
echo "CMK rotated: a new primary version; the attached disk is rewrapped to it (ReEncrypt):"
run "${C[@]}" rewrap-disk "$r"
run "${C[@]}" describe-disks "$r"
head -c 13 "$rdev"; echo " (still readable while attached)"
run "${C[@]}" detach-disk "$r"
run "${C[@]}" enable-disk-encryption-by-default
run "${C[@]}" create-disk --size 16M --category cloud --unencrypted || echo "(refused: encryption by default is on)"
x=$(run "${C[@]}" create-disk --size 16M --category cloud)
"${C[@]}" --json describe-disks "$x" | jq -c -M '.Disks[0] | {DiskId, Encrypted, KMSKeyId}'
run "${C[@]}" disable-disk-encryption-by-default
rs=$(run "${C[@]}" create-snapshot "$r")
echo "$rs"
c=$(run "${C[@]}" copy-snapshot "$rs" --destination-region cn-shanghai)
echo "copied into cn-shanghai as $c (unwrapped in the agent, wrapped again by cn-shanghai's KMS)"
cd2=$("${C[@]}" --region cn-shanghai create-disk --snapshot-id "$c")
cdev=$("${C[@]}" --region cn-shanghai attach-disk "$cd2")
head -c 13 "$cdev"; echo " (read from a disk made of the copy in cn-shanghai)"
"${C[@]}" --region cn-shanghai detach-disk "$cd2"
run "${C[@]}" describe-audit-events --disk-id "$r"
run "${C[@]}" verify-audit-log
sed -i '0,/"Result":"Success"/s//"Result":"Failed"/' "$ECSENC_STATE/audit.log"
echo "one record edited by hand:"
run "${C[@]}" verify-audit-log || echo "(tampering found)"

say "Done: every disk detached, no key in the keyring"
assert_no_ecsenc_keys
run "${C[@]}" describe-disks
