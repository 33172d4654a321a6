#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The agent's SQLite catalog and the ctl<->agent socket protocol.
here=$(dirname "$0")
exec bash "$here/build-and-run.sh" "$here/catalog_proto_test.c" \
	"$here/../../../kms-agent/catalog.c" "$here/../../../kms-agent/defaults_file.c" -- sqlite3
