#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two ecs-api servers on one PostgreSQL (a throwaway cluster of the test)
# serve one region: migrations when both start at once; a disk made
# through one is described and deleted through the other; one ClientToken
# sent to both at once makes one disk; a nonce used on one is refused on
# the other; a task reaches an agent parked on the other server within
# 100 ms, and two agents polling both servers take each task once;
# PostgreSQL stopped: ServiceUnavailable and nothing half-done, then
# served again; kill -9 of the agent's server in the middle of a task:
# the agent moves to the other server, which completes it, and its audit
# shipper moves with it: records made after the kill reach the database
# through the other server.  (Attaching
# needs the kernel: the VM story; here the tasks are CreateDisk,
# CreateSnapshot and DeleteDisk of the local backend.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
CTL_BIN=$TOP/tools/ecsenc-ctl/ecsenc-ctl
[ -x "$CTL_BIN" ] || { echo "SKIP: $CTL_BIN not built"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
write_creds
add_instance i-host1
start_pg
start_kms --delay 300
fail() { echo "FAIL: $*"; exit 1; }
on() {	# N STEP ARGS...: an SDK step sent to server N
	local API_PORT=${PORT[$1]}
	shift
	sdk steps.js "$@"
}
wait_for() {	# WANT CMD...: until CMD prints WANT (10 s)
	local want=$1 got end=$((SECONDS + 10)); shift
	while :; do
		got=$("$@") || true
		[ "$got" = "$want" ] && return 0
		[ $SECONDS -lt $end ] || fail "$* is '$got', not '$want'"
		sleep 0.1
	done
}
declare -A PORT SERVER_PID

echo "--- a password in --database is refused (argv is public)"
rc=0
"$ECS_API_BIN" --listen 127.0.0.1:1 --database "postgresql://ecs:secret@127.0.0.1/ecs" \
	--credentials "$T/users" --instance-credentials "$T/instances" >"$T/pw.log" 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "no password in the URL" "$T/pw.log" || fail "a password in the URL: rc $rc"
echo "ok   refused: $(grep -o 'no password in the URL' "$T/pw.log")"

echo "--- two servers start at once on an empty database: one migration"
PORT[1]=$(tcp_free_port)
api_run "${PORT[1]}" api1
SERVER_PID[1]=$API_PID
PIDS+=("$API_PID")
PORT[2]=$(tcp_free_port)
api_run "${PORT[2]}" api2
SERVER_PID[2]=$API_PID
PIDS+=("$API_PID")
for n in 1 2; do
	tcp_wait_listen "${SERVER_PID[$n]}" "${PORT[$n]}" || fail "server $n did not start"
done
[ "$(pg_sql 'SELECT count(*), max(version) FROM schema_version')" = "3|3" ] ||
	fail "schema_version: $(pg_sql 'SELECT version FROM schema_version')"
[ "$(grep -l 'schema migrated' "$T/api1.log" "$T/api2.log" | wc -l)" = 1 ] &&
	[ "$(cat "$T/api1.log" "$T/api2.log" | grep -c 'schema migrated')" = 3 ] ||
	fail "the schema was migrated other than once"
echo "ok   both serve; one of them migrated the schema to version 3, once"

# The agent calls server 1, server 2 when server 1 does not answer.
API_URL="http://127.0.0.1:${PORT[1]},http://127.0.0.1:${PORT[2]}"
start_agent i-host1
sleep 0.5	# its first poll parked on server 1

echo "--- a task queued on server 2 reaches the agent parked on server 1"
d1=$(on 2 create-disk false) || fail "CreateDisk through server 2: $d1"
wait_for "Available - -" on 1 disk-status "$d1"
ms=$(grep -o "handed to i-host1 [0-9]* ms after" "$T/api1.log" | tail -n 1 | awk '{ print $4 }')
[ -n "$ms" ] || fail "server 1 did not hand the task over"
[ "$ms" -lt 100 ] || fail "the task took $ms ms from server 2 to the agent on server 1"
echo "ok   $d1 made through server 2, Available through server 1; wake-up across servers $ms ms"

echo "--- deleted through server 1, gone through server 2"
[ "$(on 1 delete-disk "$d1")" = ok ] || fail "DeleteDisk through server 1"
wait_for gone on 2 disk-status "$d1"
echo "ok   $d1 gone"

echo "--- 5 times one ClientToken in 20 CreateDisks at once, 10 to each server: one disk"
before=$(pg_sql 'SELECT count(*) FROM disks')
on 1 token-race "127.0.0.1:${PORT[1]},127.0.0.1:${PORT[2]}" tok-region 20 5 >"$T/tok" ||
	fail "the same ClientToken: $(cat "$T/tok")"
[ "$(wc -l <"$T/tok")" = 5 ] && [ "$(wc -w <"$T/tok")" = 5 ] ||
	fail "a ClientToken made several disks: $(cat "$T/tok")"
[ "$(pg_sql 'SELECT count(*) FROM disks')" = $((before + 5)) ] || fail "not one disk a token"
head -n 1 "$T/tok" >"$T/tok1"
echo "ok   each token's 20 calls answered one DiskId; 5 disks"

echo "--- a nonce used on server 1 is refused on server 2"
q=$(on 1 signed-query)
[ "$(on 1 send-query "$q")" = "200 ok" ] || fail "the signed query was refused"
got=$(on 2 send-query "$q") || true
[ "$got" = "400 SignatureNonceUsed" ] || fail "replayed on server 2: $got"
echo "ok   replay on server 2: $got"

echo "--- a key's nonces on servers 1 and 2 count for its quota on server 3"
held=$(pg_sql "SELECT sum(held) FROM nonce_keys WHERE access_key = '$ECS_AK'")
[ "$held" -ge 5 ] || fail "$ECS_AK holds $held nonces"
port3=$(tcp_free_port)
api_run "$port3" api3 --max-nonces-per-key 5
PIDS+=("$API_PID")
tcp_wait_listen "$API_PID" "$port3" || fail "server 3 did not start"
PORT[3]=$port3
got=$(on 3 send-query "$(on 3 signed-query)") || true
[ "$got" = "400 Throttling" ] || fail "a key over its quota on server 3: $got"
kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
echo "ok   $ECS_AK holds $held nonces: server 3 (quota 5) answers $got"
pg_sql "INSERT INTO nonces VALUES ('LTAIgone', 'n1', 1), ('LTAIgone', 'n2', 1);
	INSERT INTO nonce_keys VALUES ('LTAIgone', 3, 2)"
sleep 1.1	# a request in the next second gives expired nonces up
on 1 disk-status "$(head -n 1 "$T/tok1")" >/dev/null
left=$(pg_sql "SELECT (SELECT count(*) FROM nonces WHERE access_key = 'LTAIgone') || ' ' || (SELECT sum(held) FROM nonce_keys WHERE access_key = 'LTAIgone')")
[ "$left" = "0 0" ] || fail "expired nonces and their count: $left"
echo "ok   expired nonces given up, and their key's count with them"

echo "--- two agents of one instance, one on each server: each task handed once"
mkdir -p "$T/twin"
"$AGENT_BIN" --kms-endpoint "$KMS_URL" --credentials "$T/agent-kms.creds" \
	--state-dir "$T/twin/state" --socket "$T/twin/agent.sock" \
	--instance-id i-host1 --dm-prefix tih1twin --regions cn-shanghai \
	--ecs-api "http://127.0.0.1:${PORT[2]}" --ecs-api-credentials "$T/i-host1.key" \
	>>"$T/agent-twin.log" 2>&1 &
twin=$!
PIDS+=("$twin")
sleep 0.5
first=$(pg_sql 'SELECT coalesce(max(id), 0) FROM tasks')
steps=()
for i in 1 2 3 4 5 6; do
	on $((i % 2 + 1)) create-disk false >/dev/null &
	steps+=($!)
done
wait "${steps[@]}"
wait_for 6 pg_sql "SELECT count(*) FROM tasks WHERE id > $first AND state = 2"
taken=$(grep -ho 'task [0-9]* from ecs-api' "$T/agent-i-host1.log" "$T/agent-twin.log" |
	awk -v f="$first" '$2 > f { print $2 }' | sort)
[ "$(echo "$taken" | wc -l)" = 6 ] && [ "$(echo "$taken" | sort -u | wc -l)" = 6 ] ||
	fail "tasks taken: $(echo $taken)"
echo "ok   6 tasks, each taken once ($(grep -c 'from ecs-api' "$T/agent-twin.log") by the agent on server 2)"
kill "$twin"; wait "$twin" 2>/dev/null || true

echo "--- PostgreSQL stopped: ServiceUnavailable, nothing half-done; started: served"
disks=$(pg_sql 'SELECT count(*) FROM disks')
tasks=$(pg_sql 'SELECT count(*) FROM tasks')
pg_ctl -m fast stop >/dev/null
for n in 1 2; do
	got=$(on $n create-disk false) || true
	[ "$got" = "ERROR ServiceUnavailable" ] || fail "CreateDisk on server $n without the database: $got"
done
got=$(on 1 disk-status "$(cat "$T/tok1")") || true
[ "$got" = "ERROR ServiceUnavailable" ] || fail "DescribeDisks without the database: $got"
pg_up
wait_for "Available - -" on 1 disk-status "$(cat "$T/tok1")"
wait_for "Available - -" on 2 disk-status "$(cat "$T/tok1")"
[ "$(pg_sql 'SELECT count(*) FROM disks')" = "$disks" ] &&
	[ "$(pg_sql 'SELECT count(*) FROM tasks')" = "$tasks" ] || fail "a refused CreateDisk left a row"
echo "ok   503 ServiceUnavailable on both meanwhile, no row left; both serve again"

echo "--- kill -9 of server 1 while the agent runs its task: server 2 completes it"
sleep 0.5	# the agent parked on server 1 again
d2=$(on 2 create-disk true)
tid=$(pg_sql "SELECT id FROM tasks WHERE resource = '$d2'")
for i in $(seq 300); do
	grep -q "task $tid from ecs-api" "$T/agent-i-host1.log" && break
	sleep 0.02
done
grep -q "task $tid from ecs-api" "$T/agent-i-host1.log" || fail "the agent did not take task $tid"
kill -9 "${SERVER_PID[1]}"	# the agent waits for the KMS (300 ms)
wait "${SERVER_PID[1]}" 2>/dev/null || true
wait_for "Available - -" on 2 disk-status "$d2"
grep -q "trying http://127.0.0.1:${PORT[2]}" "$T/agent-i-host1.log" || fail "the agent did not move to server 2"
s1=$(on 2 create-snapshot "$d2")
wait_for accomplished on 2 snapshot-status "$s1"
[ "$(on 2 delete-disk "$d2")" = ok ] || fail "DeleteDisk through server 2"
wait_for gone on 2 disk-status "$d2"
echo "ok   $d2 Available through server 2; its snapshot and its deletion by the agent now on server 2"

echo "--- server 1 gone: audit records made since reach the database through server 2"
grep -q "AgentAuditShip" "$T/api1.log" || fail "the agent did not ship its audit trail to its first server"
log_file=$T/i-host1/state/audit.log
made=$(wc -l <"$log_file")
"$CTL_BIN" --socket "$T/i-host1/agent.sock" kms CreateKey Description=after-failover >/dev/null ||
	fail "CreateKey through the agent"
[ "$(wc -l <"$log_file")" -gt "$made" ] || fail "CreateKey made no audit record"
want=$(wc -l <"$log_file")
got=$(on 2 audit-records i-host1 A 100 "$want")
jq -e --slurpfile want <(jq -R . "$log_file") '.Records == $want and .ChainStatus == "Intact"' \
	<<<"$got" >/dev/null ||
	fail "server 2 serves $(jq -c '[.Records[] | fromjson | .Seq]' <<<"$got") ($(jq -r .ChainStatus <<<"$got")), not the $want records of the log"
[ "$(pg_sql "SELECT max(seq) FROM audit_records WHERE instance = 'i-host1'")" = "$want" ] ||
	fail "the database holds up to Seq $(pg_sql "SELECT max(seq) FROM audit_records")"
echo "ok   records $((made + 1)) to $want, made after server 1 died, shipped through server 2 ($want in the database)"
