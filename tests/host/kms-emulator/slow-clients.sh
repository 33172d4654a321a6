#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 1 100 slow connections from one local user, each trickling a header line
# every second, neither stall other clients nor hold a connection past the
# request deadline: a signed request from another user is answered within
# a second while the attack runs, the attacker keeps at most its
# per-client share of connections, and each of them is closed a deadline
# after its accept, however busily it trickles.  The attack is bounded
# (1 100 connections, 14 s, 127.0.0.1 only) and stops by itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 ||
	{ echo "needs setpriv and the user nobody"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root to run the attack as nobody"; exit 77; }
kms_build_emulator
kms_setup
# The attacker runs as nobody: its binary must be reachable.
chmod 711 "$KMS_TMP"
mkdir -m 755 "$KMS_TMP/pub"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$KMS_TMP/pub/slow-clients" "$HERE/slow-clients.c"
deadline=4
per_client=32
kms_start --request-deadline $deadline --max-client-connections $per_client

# The attacker's connections the emulator holds: accepted (the server's end
# has a descriptor in the emulator) and not yet closed by it (the
# attacker's end is still established).  Connections waiting in the listen
# queue are not counted: the kernel holds those, and a busy host can let a
# hundred of them queue between two accepts.  The server's side is read
# first, so a connection it cuts in between is not counted.
attacker_held() {
	local accepted
	accepted=$(ss -Htnp state established "( sport = :$KMS_PORT )" |
		awk -v pid="pid=$KMS_PID," 'index($0, pid) { n = split($4, a, ":"); print a[n] }')
	ss -Htne state established "( dport = :$KMS_PORT )" |
		awk -v ports="$accepted" 'BEGIN { n = split(ports, p, "\n"); for (i = 1; i <= n; i++) held[p[i]] = 1 }
			/uid:65534/ { n = split($3, a, ":"); c += (a[n] in held) } END { print c + 0 }'
}

setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$KMS_TMP/pub/slow-clients" "$KMS_PORT" 1100 1000 14 >"$KMS_TMP/attack.out" &
attack=$!
sleep 2

worst=0 most_held=0
for i in $(seq 1 8); do
	body=$(kms_sign Action=DescribeRegions)
	t=$(curl -s -m 10 -o "$KMS_TMP/answer.json" -w '%{http_code} %{time_total}' \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$body" "$KMS_ENDPOINT/")
	[ "${t% *}" = 200 ] || { echo "request $i: $t $(cat "$KMS_TMP/answer.json")"; exit 1; }
	worst=$(awk -v a="$worst" -v b="${t#* }" 'BEGIN { print (b > a) ? b : a }')
	held=$(attacker_held)
	[ "$held" -le $((per_client + 2)) ] || { echo "attacker holds $held connections"; exit 1; }
	[ "$held" -le "$most_held" ] || most_held=$held
	sleep 1
done
echo "worst answer time during the attack: ${worst}s"
echo "most connections the emulator held for the attacker: $most_held"
# The count above is not vacuous: the attack does fill its share.
[ "$most_held" -ge $((per_client / 2)) ] ||
	{ echo "the attacker never held more than $most_held connections"; exit 1; }
awk -v w="$worst" 'BEGIN { exit !(w < 1.0) }' || { echo "too slow: ${worst}s"; exit 1; }

wait "$attack"
cat "$KMS_TMP/attack.out"
read -r _ opened _ closed _ longest <"$KMS_TMP/attack.out"
[ "$closed" -gt 0 ] || { echo "the server closed no slow connection"; exit 1; }
[ "$longest" -le $(((deadline + 1) * 1000)) ] ||
	{ echo "a slow connection was held ${longest} ms, deadline ${deadline} s"; exit 1; }
# The emulator is still healthy afterwards.
[ "$(kms_post "$(kms_sign Action=DescribeRegions)")" = "200 OK" ]
