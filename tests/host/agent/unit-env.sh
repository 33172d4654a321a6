#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent's unit and its example /etc/ecsenc/agent.env agree: the unit
# starts only once agent.env exists, reads it, passes KMS_ENDPOINT and
# KMS_AGENT_OPTS to the agent, and does not retry a configuration error;
# the agent started as the unit starts it, on the example, serves the
# example's regions each at its own KMS; without KMS_ENDPOINT it stops
# and says so.  (tests/systemd boots the packages under systemd.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_bins "$AGENT"
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
unit=$top/kms-agent/ecsenc-kms-agent.service
example=$top/kms-agent/agent.env

log "the unit waits for agent.env, reads it, passes KMS_AGENT_OPTS"
grep -qx 'ConditionPathExists=/etc/ecsenc/agent.env' "$unit" || fail "no condition on agent.env"
grep -qx 'EnvironmentFile=/etc/ecsenc/agent.env' "$unit" || fail "agent.env is not required"
grep -qx 'RestartPreventExitStatus=2' "$unit" || fail "a configuration error is retried"
mkdir -p "$work/units"
sed "s|/usr/sbin/kms-agent|$AGENT|; s|/sbin/modprobe|/bin/true|" "$unit" \
	>"$work/units/${unit##*/}"
out=$(systemd-analyze verify --man=no "$work/units/${unit##*/}" 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
grep -q '^usr/share/doc/ecsenc/examples/agent.env$' "$top/debian/ecsenc.install" ||
	fail "the package does not ship the example agent.env"

# The agent's argv as systemd makes it from ExecStart= and an environment
# file: ${VAR} is one word, $VAR is split at white space.  Host paths
# stand in for /etc, /var/lib and /run.
exec_argv() {	# ENVFILE: prints one argument a line
	local envfile=$1 line word key value
	declare -A env=()
	while IFS= read -r line; do
		[[ $line =~ ^([A-Z_]+)=(.*)$ ]] || continue
		env[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done <"$envfile"
	line=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$unit" | sed 's/^ExecStart=//; s/\\$//' | tr '\n' ' ')
	for word in $line; do
		case $word in
		'${'*'}') key=${word:2:-1}; printf '%s\n' "${env[$key]-}" ;;
		'$'*) key=${word:1}; value=${env[$key]-}
			for word in $value; do printf '%s\n' "$word"; done ;;
		/usr/sbin/kms-agent) printf '%s\n' "$AGENT" ;;
		/etc/ecsenc/credentials) printf '%s\n' "$work/creds" ;;
		/var/lib/ecsenc) printf '%s\n' "$work/state" ;;
		/run/ecsenc/agent.sock) printf '%s\n' "$work/agent.sock" ;;
		*) printf '%s\n' "$word" ;;
		esac
	done
}
echo "LTAIecsencHostTest0001 hostTestSecret0001" >"$work/creds"
chmod 600 "$work/creds"

log "on the example agent.env: its regions, each at its own KMS"
mapfile -t argv < <(exec_argv "$example")
"${argv[@]}" --no-reattach >"$work/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
for _ in $(seq 50); do
	grep -q ' info: serving ' "$work/agent.log" && break
	kill -0 "$agent_pid" 2>/dev/null || fail "the agent did not start on the example agent.env"
	sleep 0.1
done
for r in cn-hangzhou cn-shanghai cn-beijing; do
	grep -q "region $r\( (default)\)\?: KMS https://kms.$r.aliyuncs.com$" "$work/agent.log" ||
		fail "example: no KMS for $r"
done
stop_agent

log "without KMS_ENDPOINT the agent stops, with status 2, and says why"
grep -v '^KMS_ENDPOINT=' "$example" >"$work/no-endpoint.env"
mapfile -t argv < <(exec_argv "$work/no-endpoint.env")
"${argv[@]}" >"$work/refused.log" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "status $rc without KMS_ENDPOINT: $(cat "$work/refused.log")"
grep -q -- "--kms-endpoint is empty" "$work/refused.log" || fail "$(cat "$work/refused.log")"
echo PASS
