#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The control for memory.sh: the same load through dm-crypt.
export MEM_TARGET=crypt
exec bash /ecsenc/tests/bench/memory.sh
