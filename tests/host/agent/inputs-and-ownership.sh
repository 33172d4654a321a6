#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Inputs that used to get a wrong answer or none, and the ownership of a
# state dir: sizes are bounded (1 MiB to ECS's 32 TiB) and say so; a disk
# larger than the free space is refused; --json errors are JSON; a header
# whose fields the agent did not write never reaches a dm table; one agent
# per state dir; a bad --region stops the agent before it acts; a second
# agent on a busy socket stops before it acts.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
build_tool header_edit

start_agent http://127.0.0.1:9 --kms-deadline 1

log "sizes"
must_fail --error "a disk is 1 MiB to 32 TiB" ctl create-disk --size 0 --category cloud
must_fail --error "a disk is 1 MiB to 32 TiB" ctl create-disk --size 4K --category cloud
must_fail --error "bad --size -4096" ctl create-disk --size -4096 --category cloud
must_fail --error "bad --size" ctl create-disk --size " 4096" --category cloud
must_fail --error "a disk is 1 MiB to 32 TiB" ctl create-disk --size 16777215T --category cloud
must_fail --error "a disk is 1 MiB to 32 TiB" ctl create-disk --size 33T --category cloud
must_fail --error "a disk is 1 MiB to 32 TiB" ctl create-disk --size 18446744073709551616 --category cloud
must_fail --error "multiple of 4096" ctl create-disk --size 1048577 --category cloud
must_fail --error "needs --category" ctl create-disk --size 4M
must_fail --error "needs --size" ctl create-disk --category cloud
free=$(($(stat -f -c '%a * %S' "$work/state")))
if [ "$free" -lt $((32 << 40)) ]; then
	must_fail --error "does not fit in the .* bytes free" ctl create-disk --size 32T --category cloud
	ls "$work/state/cn-hangzhou/" 2>/dev/null | grep -q . && fail "a refused disk left a store behind"
fi

log "--json: errors are JSON too"
out=$(ctl --json create-disk --size 0 --category cloud) && fail "size 0 accepted"
[ "$(jq -r .Code <<<"$out")" = InvalidParameter ] || fail "--json error is not JSON: $out"
out=$(ctl --json attach-disk d-nope) && fail "attach of d-nope succeeded"
[ "$(jq -r .Code <<<"$out")" = InvalidDiskId.NotFound ] || fail "--json agent error: $out"
jq -r .Message <<<"$out" | grep -q "no disk d-nope" || fail "--json error text: $out"
out=$(ctl --json encrypt-disk d-nope) && fail "encrypt-disk succeeded"
[ "$(jq -r .Code <<<"$out")" = OperationDenied.EncryptionConversion ] || fail "--json encrypt-disk: $out"

log "exit statuses come from the error table; --json is one envelope with a RequestId"
status_of() { "$@" >/dev/null 2>&1; echo $?; }
assert_eq "$(status_of ctl create-disk --size 64M)" 2 "create-disk without a category"
assert_eq "$(status_of ctl create-disk --size 0 --category cloud)" 2 "create-disk --size 0"
assert_eq "$(status_of ctl attach-disk d-nope)" 3 "attach of a missing disk"
assert_eq "$(status_of ctl encrypt-disk d-nope)" 5 "encrypt-disk"
assert_eq "$(status_of "$CTL_BIN" --socket "$work/none.sock" describe-disks)" 6 "no agent"
out=$(ctl create-disk --size 64M --category cloud --json) || fail "create-disk: $out"
jq -e '.RequestId | test("^[0-9A-F-]{36}$")' <<<"$out" >/dev/null || fail "success without RequestId: $out"
jq -e '.Size == 1 and .SizeBytes == 67108864 and
	(.CreationTime | test("^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$"))' \
	<<<"$out" >/dev/null || fail "sizes in GiB (and bytes), times in ISO 8601 UTC: $out"
out=$(ctl create-disk --json --size 64M --bogus 2>/dev/null) && fail "--bogus accepted"
jq -e '.Code == "InvalidParameter" and (.RequestId | length) == 36' <<<"$out" >/dev/null ||
	fail "a parse error before --json is not JSON: $out"
rid=$(jq -r .RequestId <<<"$(ctl --json attach-disk d-nope)")
grep -q "RequestId $rid: attach-disk" "$work/agent.log" || fail "the agent did not log RequestId $rid"
"$CTL_BIN" --version | grep -Eq '^ecsenc-ctl [0-9]+\.[0-9]+' || fail "--version: $("$CTL_BIN" --version)"

log "ecsenc-ctl VERB --help"
for verb in create-disk attach-disk copy-disk kms describe-disks; do
	ctl "$verb" --help | grep -q "^usage: ecsenc-ctl .* $verb" || fail "$verb --help"
done
ctl create-disk --help | grep -q -- "--kms-key-id" || fail "create-disk --help lists no options"

log "a header with fields the agent did not write is refused, with the field named"
d=$(ctl create-disk --size 4M --category cloud_essd) || fail "create-disk"
img=$work/state/cn-hangzhou/$d.img
"$work/header_edit" "$img" cipher "none 0 /dev/sda 0" || fail "header_edit"
must_fail --error "its header has a bad cipher" ctl create-snapshot "$d"
"$work/header_edit" "$img" cipher none
"$work/header_edit" "$img" category "cloud_essd 1 sector_size:512"
must_fail --error "its header has a bad region or category" ctl create-snapshot "$d"
"$work/header_edit" "$img" category cloud_essd
"$work/header_edit" "$img" data_offset $((4 << 30))
must_fail --error "its header has a bad data offset" ctl create-snapshot "$d"
"$work/header_edit" "$img" data_offset $((1 << 20))
"$work/header_edit" "$img" object_id "$d x"
must_fail --error "its header has a bad object id" ctl create-snapshot "$d"
"$work/header_edit" "$img" object_id "$d"
ctl create-snapshot "$d" >/dev/null || fail "the repaired header is refused"

log "one agent per state dir"
"$AGENT" --kms-endpoint http://127.0.0.1:9 --credentials "$work/creds" \
	--state-dir "$work/state" --socket "$work/other.sock" >"$work/second.log" 2>&1 &&
	fail "a second agent ran on the same state dir"
grep -q "another kms-agent (pid $agent_pid) owns the state dir" "$work/second.log" ||
	fail "second agent: $(cat "$work/second.log")"
[ -e "$work/other.sock" ] && fail "the second agent made a socket"
ctl describe-disks | grep -q "$d" || fail "the first agent stopped serving"

log "--region is held to what a request may name"
for r in ../etc a/b "$(printf 'r%.0s' {1..32})"; do
	must_fail --error "is not a region id" timeout 10 "$AGENT" --kms-endpoint http://127.0.0.1:9 \
		--credentials "$work/creds" --state-dir "$work/bad-region" \
		--socket "$work/bad-region.sock" --region "$r"
done
[ -e "$work/bad-region" ] && fail "an agent with a bad --region made its state dir"

log "a second agent on a busy socket stops before it re-attaches anything"
mkdir -p "$work/state2"
cp -a "$work/state/cn-hangzhou" "$work/state2/"
"$AGENT" --kms-endpoint http://127.0.0.1:9 --credentials "$work/creds" \
	--state-dir "$work/state2" --socket "$work/state2.sock" --rebuild-catalog \
	>"$work/prep.log" 2>&1 &
prep=$!
for i in $(seq 50); do [ -S "$work/state2.sock" ] && break; sleep 0.1; done
kill "$prep"; wait "$prep" 2>/dev/null
sqlite3 "$work/state2/catalog.db" "UPDATE objects SET attached = 1" || fail "sqlite3"
"$AGENT" --kms-endpoint http://127.0.0.1:9 --credentials "$work/creds" \
	--state-dir "$work/state2" --socket "$work/agent.sock" >"$work/third.log" 2>&1 &&
	fail "a second agent ran on a busy socket"
grep -q "another agent is serving" "$work/third.log" || fail "third agent: $(cat "$work/third.log")"
grep -q "re-attach" "$work/third.log" && fail "the refused agent re-attached disks first"
ctl describe-disks | grep -q "$d" || fail "the first agent stopped serving"
echo PASS
