#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The on-disk header: encode/decode, checksums, recovery from the copy.
here=$(dirname "$0")
exec bash "$here/build-and-run.sh" "$here/disk_header_test.c"
