# SPDX-License-Identifier: GPL-2.0
# Sourced by the host tests that start a server on 127.0.0.1 (the KMS
# emulator, a fake KMS): a port for it, and a wait until it listens.
#
# A connection proves nothing about a server: to a port of the ephemeral
# range with nothing listening yet, connect() may pick that same port as
# its source and connect the socket to itself.  So the ports are chosen
# below that range, and a server is up once /proc/net/tcp shows a socket
# listening on its port.

# tcp_listening PORT: a socket of this network namespace listens on PORT.
tcp_listening() {
	local files=(/proc/net/tcp)

	[ -r /proc/net/tcp6 ] && files+=(/proc/net/tcp6)
	awk -v port="$(printf '%04X' "$1")" \
		'$4 == "0A" && $2 ~ (":" port "$") { up = 1 } END { exit !up }' \
		"${files[@]}"
}

# tcp_free_port: a port nothing listens on, outside the ephemeral range.
tcp_free_port() {
	local low high p

	read -r low high </proc/sys/net/ipv4/ip_local_port_range
	while :; do
		if [ "$low" -gt 12000 ]; then
			p=$((10000 + RANDOM % (low - 10000)))
		else
			p=$((high + 1 + RANDOM % (65535 - high)))
		fi
		tcp_listening "$p" || { echo "$p"; return; }
	done
}

# tcp_wait_listen PID PORT [SECONDS]: wait (10 s by default) until PORT
# listens; 1 when process PID exits first or the time runs out.
tcp_wait_listen() {
	local i

	for ((i = 0; i < ${3:-10} * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 1
		tcp_listening "$2" && return 0
		sleep 0.05
	done
	return 1
}
