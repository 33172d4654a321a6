#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# HTTPS: ecs-api refuses to listen off loopback without a certificate, and
# with one the SDK (HTTPS by default) talks to it, verifying the chain.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bins
node_deps
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
write_creds
add_instance i-host1
start_kms
if "$ECS_API_BIN" --listen 0.0.0.0:1 --data-dir "$T/api0" --credentials "$T/users" \
	--instance-credentials "$T/instances" 2>"$T/refused.log"; then
	echo "FAIL: ecs-api listened on 0.0.0.0 without TLS"; exit 1
fi
grep -q "tls-cert and --tls-key are required" "$T/refused.log" ||
	{ echo "FAIL: $(cat "$T/refused.log")"; exit 1; }
echo "ok   no TLS, no listening off loopback"
if "$AGENT_BIN" --kms-endpoint "$KMS_URL" --credentials "$T/agent-kms.creds" \
	--state-dir "$T/agent0" --socket "$T/agent0.sock" --instance-id i-host1 \
	--ecs-api http://192.0.2.1:8090 --ecs-api-credentials "$T/i-host1.key" \
	>"$T/agent0.log" 2>&1; then
	echo "FAIL: the agent took work over plain http off loopback"; exit 1
fi
grep -q "is plain http to a host that is not loopback" "$T/agent0.log" ||
	{ echo "FAIL: $(tail -n 3 "$T/agent0.log")"; exit 1; }
echo "ok   the agent refuses an --ecs-api of plain http off loopback"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
start_api --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
NODE_EXTRA_CA_CERTS=$T/cert.pem sdk tls.js
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$API_PORT/" || true)
[ "$r" != 200 ] && [ "$r" != 400 ] || { echo "FAIL: plain HTTP answered $r"; exit 1; }
echo "ok   plain HTTP gets no answer from the HTTPS listener"
# Over TLS the console's session cookie is Secure as well (console.sh: not on plain loopback).
cookie=$(curl -s --cacert "$T/cert.pem" -D - -o /dev/null \
	--data-urlencode "AccessKeyId=$ECS_AK" --data-urlencode "AccessKeySecret=$ECS_SECRET" \
	"https://127.0.0.1:$API_PORT/console/session/signin" | grep -i '^set-cookie:' || true)
case $cookie in
*HttpOnly*SameSite=Strict*Secure*) ;;
*) echo "FAIL: the console's cookie over TLS: ${cookie:-none}"; exit 1 ;;
esac
echo "ok   over TLS the console's session cookie is HttpOnly, SameSite=Strict and Secure"
