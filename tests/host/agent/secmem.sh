#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Buffers for secrets: resizing keeps the contents and releases the old one.
here=$(dirname "$0")
exec bash "$here/build-and-run.sh" "$here/secmem_test.c"
