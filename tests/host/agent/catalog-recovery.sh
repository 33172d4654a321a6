#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The catalog is a cache: one that is not a database, or is cut short, is
# moved aside and rebuilt from the stores' headers, with a warning, and
# the agent serves.  Encryption by default, which no header holds, comes
# back from its own checksummed file; where that is lost too, the agent
# refuses creates until an operator states the setting again, rather
# than come up with it off.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT" "$CTL_BIN"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
state=$work/state

start_agent http://127.0.0.1:9 --kms-deadline 1
d=$(ctl create-disk --size 8M --category cloud_essd) || fail "create-disk"
s=$(ctl create-snapshot "$d") || fail "create-snapshot"
ctl --region cn-beijing enable-disk-encryption-by-default >/dev/null || fail "enable"
ctl --region cn-beijing modify-disk-default-kms-key-id alias/acs/ecs >/dev/null 2>&1
stop_agent

log "a catalog.db that is not a database: moved aside, rebuilt, served"
head -c 20000 /dev/urandom >"$state/catalog.db"
rm -f "$state"/catalog.db-wal "$state"/catalog.db-shm
start_agent http://127.0.0.1:9 --kms-deadline 1
grep -q "warning: catalog .*/catalog.db is damaged (file is not a database): moved aside to .*catalog.db.corrupt-" "$work/agent.log" ||
	fail "no warning that the catalog was moved aside"
ls "$state"/catalog.db.corrupt-* >/dev/null 2>&1 || fail "the damaged catalog was not kept"
ctl describe-disks | grep -q "^$d" || fail "$d not rebuilt from its header"
ctl describe-snapshots | grep -q "^$s" || fail "$s not rebuilt from its header"
assert_eq "$(ctl --region cn-beijing describe-disk-encryption-by-default-status)" true \
	"encryption by default in cn-beijing after the catalog was replaced"
assert_eq "$(ctl describe-disk-encryption-by-default-status)" false \
	"encryption by default in cn-hangzhou after the catalog was replaced"
stop_agent

log "a catalog.db cut short: encryption by default stays on"
truncate -s 4096 "$state/catalog.db"
rm -f "$state"/catalog.db-wal "$state"/catalog.db-shm
start_agent http://127.0.0.1:9 --kms-deadline 1
assert_eq "$(ctl --region cn-beijing describe-disk-encryption-by-default-status)" true \
	"encryption by default in cn-beijing after a truncated catalog"
must_fail --error "encryption by default is enabled in region cn-beijing" \
	ctl --region cn-beijing create-disk --size 8M --category cloud --unencrypted
ctl describe-disks | grep -q "^$d" || fail "$d lost with the truncated catalog"
stop_agent
: >"$state/catalog.db"
rm -f "$state"/catalog.db-wal "$state"/catalog.db-shm
start_agent http://127.0.0.1:9 --kms-deadline 1
grep -q "warning: catalog .* was empty" "$work/agent.log" || fail "an emptied catalog is not reported"
assert_eq "$(ctl --region cn-beijing describe-disk-encryption-by-default-status)" true \
	"encryption by default in cn-beijing after an emptied catalog"
ctl describe-disks | grep -q "^$d" || fail "$d lost with the emptied catalog"
stop_agent

log "the settings file damaged, the catalog sound: restored from the catalog"
sed -i 's/^region cn-beijing 1/region cn-beijing 0/' "$state/encryption-by-default"
start_agent http://127.0.0.1:9 --kms-deadline 1
grep -q "warning: .*encryption-by-default is damaged: moved aside" "$work/agent.log" ||
	fail "a damaged settings file is not reported"
assert_eq "$(ctl --region cn-beijing describe-disk-encryption-by-default-status)" true \
	"encryption by default in cn-beijing after a damaged settings file"
stop_agent

log "both lost: creates refused until the setting is stated"
head -c 20000 /dev/urandom >"$state/catalog.db"
echo garbage >>"$state/encryption-by-default"
start_agent http://127.0.0.1:9 --kms-deadline 1
grep -q "warning: the encryption-by-default settings were lost with the catalog" "$work/agent.log" ||
	fail "the lost settings are not reported"
lost="whether region %s encrypts new disks by default was lost with the agent's catalog"
# shellcheck disable=SC2059
must_fail --error "$(printf "$lost" cn-beijing)" ctl --region cn-beijing create-disk --size 8M --category cloud
{ ctl --region cn-beijing --json describe-disk-encryption-by-default-status || true; } |
	jq -e '.Code == "OperationDenied.EncryptionByDefaultUnknown"' >/dev/null ||
	fail "no OperationDenied.EncryptionByDefaultUnknown code"
# shellcheck disable=SC2059
must_fail --error "$(printf "$lost" cn-hangzhou)" ctl create-disk --size 8M --category cloud
ctl --region cn-beijing enable-disk-encryption-by-default >/dev/null || fail "enable after the loss"
ctl disable-disk-encryption-by-default >/dev/null || fail "disable after the loss"
ctl create-disk --size 8M --category cloud >/dev/null || fail "create once the setting is stated"
stop_agent
start_agent http://127.0.0.1:9 --kms-deadline 1
assert_eq "$(ctl --region cn-beijing describe-disk-encryption-by-default-status)" true \
	"the stated setting after a restart"
# shellcheck disable=SC2059
must_fail --error "$(printf "$lost" cn-shanghai)" ctl --region cn-shanghai create-disk --size 8M --category cloud
echo PASS
