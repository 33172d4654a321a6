#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Requests of the wrong shape: each gets an error reply that names what is
# wrong, and the agent keeps serving.  (Before the protocol table, the
# first three of these killed it: SIGSEGV / SIGABRT.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
build_tool agent_send

start_agent http://127.0.0.1:9 --kms-deadline 1

# refused 'REQUEST' 'PATTERN': an error reply matching PATTERN, agent alive.
refused() {
	local reply
	reply=$(send_raw < <(printf '%s' "$1")) || fail "no reply to: ${1:0:80}"
	[ "$(jq -r .ok <<<"$reply" 2>/dev/null)" = false ] ||
		fail "not refused: ${1:0:80} -> $reply"
	jq -r .error <<<"$reply" | grep -q -- "$2" ||
		fail "${1:0:80}: want '$2', got: $reply"
	kill -0 "$agent_pid" 2>/dev/null || fail "the agent died on: ${1:0:80}"
}

log "the requests that killed the agent"
refused '{"op":"kms","args":{"action":"DescribeKey","params":"KeyId=x"}}' "argument params must be an object"
refused '{"op":"kms","args":{"action":"Decrypt","params":{"EncryptionContext":null}}}' "parameter EncryptionContext must be a string"
refused '{"op":"describe-disks","args":{"disk_ids":"d-1"}}' "argument disk_ids must be an array"

log "every argument of the wrong type"
for bad in 1 true null '[]' '{}' '"has space"' '"x\u0000y"'; do
	for op_arg in create-disk:category create-disk:kms_key_id \
		create-disk:snapshot_id attach-disk:disk_id detach-disk:disk_id \
		create-snapshot:disk_id reset-disk:disk_id reset-disk:snapshot_id \
		reinit-disk:disk_id delete-disk:disk_id delete-snapshot:snapshot_id \
		kms:action; do
		refused "{\"op\":\"${op_arg%%:*}\",\"args\":{\"${op_arg#*:}\":$bad}}" \
			"argument ${op_arg#*:} must be a string"
	done
done
for bad in '"64M"' true 1.5 '[]' -4096 0 4095 1048577 35184372092928 9223372036854775807 18446744073709551615; do
	refused "{\"op\":\"create-disk\",\"args\":{\"size\":$bad,\"category\":\"cloud\"}}" "argument size"
done
for bad in 1 0 '"yes"' null; do
	refused "{\"op\":\"create-disk\",\"args\":{\"size\":4194304,\"category\":\"cloud\",\"encrypted\":$bad}}" \
		"argument encrypted must be true or false"
done
refused '{"op":"describe-disks","args":{"disk_ids":[1]}}' "element 0 is not an id"
refused "{\"op\":\"describe-disks\",\"args\":{\"disk_ids\":[$(printf '"d-%d",' $(seq 101) | sed 's/,$//')]}}" "at most 100 ids"
refused '{"op":"kms","args":{"action":"DescribeKey","params":{"KeyId":7}}}' "parameter KeyId must be a string"
refused '{"op":"kms","args":{"params":{}}}' "kms needs argument action"
refused '{"op":"attach-disk","args":{}}' "attach-disk needs argument disk_id"
refused '{"op":"attach-disk"}' "attach-disk needs argument disk_id"
refused '{"op":"attach-disk","args":{"disk_id":"d-1","size":4194304}}' "attach-disk takes no argument size"
refused '{"op":"attach-disk","args":{"disk_id":"d-1","force":1}}' "argument force must be true or false"
refused '{"op":"attach-disk","args":[]}' '"args" must be an object'

log "requests that are not requests"
refused '{"op":"frobnicate"}' "unknown operation"
refused '{"op":7}' 'needs "op", a string'
refused '{"args":{}}' 'needs "op", a string'
refused '{"op":"describe-disks","region":"../etc"}' "bad region name"
refused '{"op":"describe-disks","region":5}' "bad region name"
refused '{"op":"describe-disks","extra":1}' "unknown request field extra"
refused '["describe-disks"]' "malformed request"
refused '"describe-disks"' "malformed request"
refused '{"op":"describe-disks","args":{' "malformed request"
refused '' "malformed request"
refused "$(head -c $((1 << 20)) /dev/urandom | base64 -w0)" "request larger than 65536 bytes"
refused "$(printf '%.0s[' $(seq 100000))" "request nested deeper than 3 levels"
refused '{"op":"describe-disks","args":{"disk_ids":[[]]}}' "request nested deeper than 3 levels"
refused "[$(printf '{},%.0s' $(seq 300)){}]" "request with more than 280 values"
refused '{"op":"describe-disks"} {}' "malformed request"
refused '{"op":"describe-disks",}' "malformed request"
refused '{"op":"describe-disks" /* [ */}' "malformed request"

log "and it still serves"
ctl describe-disks >/dev/null || fail "describe-disks after the garbage"
d=$(ctl create-disk --size 4M --category cloud_essd) || fail "create-disk after the garbage"
ctl describe-disks "$d" | grep -q "$d" || fail "describe after the garbage"
echo PASS
