#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The request limits, checked before parsing: what the operation table
# needs is admitted, anything bigger refused with its own errno; a client
# hears an agent that answers without reading.
here=$(dirname "$0")
exec bash "$here/build-and-run.sh" "$here/proto_limits_test.c"
