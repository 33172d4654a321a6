# SPDX-License-Identifier: GPL-2.0
# Sourced by the ecs-api host tests: a KMS emulator, ecs-api and agents
# (local backend, no kernel) joined to it as instances, each on loopback
# with its own temporary directory; teardown leaves no process behind.
# ECS_API_ON_PG=1: ecs-api keeps its state in a throwaway PostgreSQL
# (start_pg) instead of SQLite.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
ECS_API_BIN=$TOP/tools/ecs-api/ecs-api
AGENT_BIN=$TOP/kms-agent/kms-agent
EMU_BIN=$TOP/tools/kms-emulator/kms-emulator
. "$TOP/tests/lib/tcp.sh"

# The users and instances (AccessKeyId secret [InstanceId] AccountId).
ECS_AK=LTAIecsUserA00001 ECS_SECRET=userSecretA
ECS_AK_B=LTAIecsUserB00001 ECS_SECRET_B=userSecretB
ECS_ACCOUNT=1111111111111111 ECS_ACCOUNT_B=2222222222222222
KMS_AGENT_AK=LTAIagentKms00001 KMS_AGENT_SECRET=agentKmsSecret
KMS_API_AK=LTAIecsApiKms0001 KMS_API_SECRET=ecsApiKmsSecret
KMS_ADMIN_AK=LTAIkmsAdmin00001 KMS_ADMIN_SECRET=kmsAdminSecret
T=$(mktemp -d /tmp/ecs-api-test.XXXXXX)
PIDS=()
declare -A AGENT_PID

cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "${PG_BIN:-}" ] || pg_ctl stop -m immediate >/dev/null 2>&1 || true
	if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		for p in "$T"/*.log; do
			[ -s "$p" ] && { echo "--- last lines of ${p##*/}:" >&2; tail -n 12 "$p" >&2; }
		done
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
	exit $rc
}
trap cleanup EXIT

need_bins() {
	local b
	for b in "$ECS_API_BIN" "$AGENT_BIN" "$EMU_BIN"; do
		[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
	done
}

# node_deps: the pinned SDKs from npm, once (77 when npm cannot).
node_deps() {
	command -v node >/dev/null && command -v npm >/dev/null || {
		echo "SKIP: node/npm missing"; exit 77; }
	if [ ! -d "$HERE/node/node_modules/@alicloud/ecs20140526" ]; then
		(cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			{ echo "SKIP: npm install failed"; exit 77; }
	fi
}

write_creds() {
	printf '%s %s\n%s %s\n%s %s\n' "$KMS_AGENT_AK" "$KMS_AGENT_SECRET" \
		"$KMS_API_AK" "$KMS_API_SECRET" "$KMS_ADMIN_AK" "$KMS_ADMIN_SECRET" >"$T/kms.creds"
	printf '%s %s\n' "$KMS_AGENT_AK" "$KMS_AGENT_SECRET" >"$T/agent-kms.creds"
	printf '%s %s\n' "$KMS_API_AK" "$KMS_API_SECRET" >"$T/api-kms.creds"
	printf '%s %s %s\n%s %s %s\n' "$ECS_AK" "$ECS_SECRET" "$ECS_ACCOUNT" \
		"$ECS_AK_B" "$ECS_SECRET_B" "$ECS_ACCOUNT_B" >"$T/users"
	: >"$T/instances"
	chmod 600 "$T"/*.creds "$T/users"
}

# add_instance ID [ACCOUNT]: an instance key for ID in $T/ID.key
add_instance() {
	local id=$1 account=${2:-$ECS_ACCOUNT}
	printf 'LTAIinst%s instSecret%s %s %s\n' "${id//-/}" "${id//-/}" "$id" "$account" >>"$T/instances"
	printf 'LTAIinst%s instSecret%s\n' "${id//-/}" "${id//-/}" >"$T/$id.key"
	chmod 600 "$T/instances" "$T/$id.key"
}

start_kms() {
	mkdir -p "$T/kms"
	KMS_PORT=$(tcp_free_port)
	"$EMU_BIN" --listen "127.0.0.1:$KMS_PORT" --data-dir "$T/kms" \
		--credentials "$T/kms.creds" --admin-key "$KMS_ADMIN_AK" ${KMS_LOG_OPT---quiet} "$@" \
		>>"$T/kms.log" 2>&1 &
	KMS_PID=$!
	PIDS+=("$KMS_PID")
	tcp_wait_listen "$KMS_PID" "$KMS_PORT" || { echo "FAIL: emulator did not start"; exit 1; }
	KMS_URL=http://127.0.0.1:$KMS_PORT
}

# pg_ctl ARGS: of the throwaway cluster, as its owner.
pg_ctl() {
	"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$T/pg/data" "$@"
}

# pg_up: start the cluster of start_pg again (unix socket $T/pg only;
# PG_FSYNC=on: durable, as in production, for benchmarks).
pg_up() {
	pg_ctl -w -l "$T/pg/server.log" \
		-o "-k $T/pg -c listen_addresses= -c fsync=${PG_FSYNC:-off}" start >/dev/null ||
		{ echo "FAIL: PostgreSQL did not start"; tail "$T/pg/server.log"; exit 1; }
}

# pg_sql SQL: one query's rows (unaligned, no header) as the cluster's superuser.
pg_sql() {
	"$PG_BIN/psql" -X -qAt "$ECS_API_DATABASE" -c "$1"
}

# store_sql SQL: one query's rows (as pg_sql) on the store of start_api:
# its PostgreSQL database, or its SQLite file.
store_sql() {
	if [ -n "${ECS_API_DATABASE:-}" ]; then
		pg_sql "$1"
	else
		sqlite3 "$T/api/ecs-api.db" "$1"
	fi
}

# start_pg: a PostgreSQL cluster of its own in $T/pg (77 without the
# server's binaries); ECS_API_DATABASE is its URL.  Root runs it as nobody.
start_pg() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] ||
		{ PG_BIN=; echo "SKIP: PostgreSQL server binaries missing"; exit 77; }
	AS_PG=()
	mkdir -p "$T/pg"
	if [ "$(id -u)" -eq 0 ]; then
		chmod 711 "$T"
		chown nobody "$T/pg"
		AS_PG=(runuser -u nobody --)
	fi
	"${AS_PG[@]}" "$PG_BIN/initdb" -D "$T/pg/data" -U ecs -A trust --no-sync \
		>"$T/pg-initdb.log" 2>&1 || { echo "FAIL: initdb"; cat "$T/pg-initdb.log"; exit 1; }
	pg_up
	"$PG_BIN/createdb" -h "$T/pg" -U ecs ecs
	ECS_API_DATABASE="postgresql:///ecs?host=$T/pg&user=ecs"
}

# api_run PORT LOG [options]: an ecs-api in the background (API_PID), not waited for.
api_run() {
	local port=$1 log=$2 store
	shift 2
	if [ -n "${ECS_API_DATABASE:-}" ]; then
		store=(--database "$ECS_API_DATABASE")
	else
		store=(--data-dir "$T/api")
	fi
	"$ECS_API_BIN" --listen "127.0.0.1:$port" "${store[@]}" \
		--credentials "$T/users" --instance-credentials "$T/instances" \
		--kms-endpoint "$KMS_URL" --kms-credentials "$T/api-kms.creds" \
		--region cn-hangzhou --region cn-shanghai --agent-silence "${SILENCE:-6}" "$@" \
		>>"$T/$log.log" 2>&1 &
	API_PID=$!
}

# start_api [options]: ecs-api on a free port (the same one again after a restart).
start_api() {
	API_PORT=${API_PORT:-$(tcp_free_port)}
	[ -z "${ECS_API_ON_PG:-}" ] || [ -n "${ECS_API_DATABASE:-}" ] || start_pg
	api_run "$API_PORT" api "$@"
	PIDS+=("$API_PID")
	tcp_wait_listen "$API_PID" "$API_PORT" || { echo "FAIL: ecs-api did not start"; exit 1; }
	API_URL=http://127.0.0.1:$API_PORT
}

# start_api_servers N [options]: N ecs-api servers, each on a free port,
# all started here: API_PORTS and API_PIDS list them, API_PORT, API_PID and
# API_URL are the first's.  With ECS_API_DATABASE set they share that
# store (--database); without it a server has its own SQLite store, so
# more than one server needs it.
start_api_servers() {
	local n=$1 k
	shift
	if [ "$n" -gt 1 ] && [ -z "${ECS_API_DATABASE:-}" ]; then
		echo "FAIL: $n ecs-api servers need one store: set ECS_API_DATABASE"; exit 1
	fi
	API_PORTS=() API_PIDS=()
	for k in $(seq "$n"); do
		API_PORT=$(tcp_free_port)
		start_api ${ECS_API_DATABASE:+--database "$ECS_API_DATABASE"} "$@"
		API_PORTS+=("$API_PORT") API_PIDS+=("$API_PID")
	done
	API_PORT=${API_PORTS[0]} API_PID=${API_PIDS[0]}
	API_URL=http://127.0.0.1:$API_PORT
}

# start_agent ID [options]: that instance's agent, linked to ecs-api.
start_agent() {
	local id=$1 i
	mkdir -p "$T/$id"
	"$AGENT_BIN" --kms-endpoint "$KMS_URL" --credentials "$T/agent-kms.creds" \
		--state-dir "$T/$id/state" --socket "$T/$id/agent.sock" \
		--instance-id "$id" --dm-prefix "t${id//-/}" --regions cn-shanghai \
		--ecs-api "$API_URL" --ecs-api-credentials "$T/$id.key" "${@:2}" \
		>>"$T/agent-$id.log" 2>&1 &
	AGENT_PID[$id]=$!
	PIDS+=("$!")
	for i in $(seq 100); do
		grep -q "takes its work from ecs-api" "$T/agent-$id.log" 2>/dev/null && return 0
		kill -0 "${AGENT_PID[$id]}" 2>/dev/null || { echo "FAIL: agent $id died"; exit 1; }
		sleep 0.05
	done
	echo "FAIL: agent $id did not link"; exit 1
}

# sdk SCRIPT [args]: a node script of node/ with the endpoints and keys.
sdk() {
	ECS_ENDPOINT="127.0.0.1:$API_PORT" ECS_AK=$ECS_AK ECS_SECRET=$ECS_SECRET \
	ECS_AK_B=$ECS_AK_B ECS_SECRET_B=$ECS_SECRET_B KMS_ENDPOINT="127.0.0.1:$KMS_PORT" \
	KMS_AK=$KMS_AGENT_AK KMS_SECRET=$KMS_AGENT_SECRET KMS_ADMIN_AK=$KMS_ADMIN_AK \
	KMS_ADMIN_SECRET=$KMS_ADMIN_SECRET KMS_API_AK=$KMS_API_AK \
		node "$HERE/node/$1" "${@:2}"
}

# console_deps DIR: playwright-core, pinned in DIR's package-lock.json, once.
console_deps() {
	if [ ! -d "$1/node_modules/playwright-core" ]; then
		(cd "$1" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
			{ echo "SKIP: npm install of playwright-core failed"; exit 77; }
	fi
}
