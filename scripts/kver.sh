#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release a build or a VM run uses: $KVER when set,
# otherwise the release that Debian's linux-image-amd64 meta-package pulls
# in (6.1 on Debian 12).  Never "the newest installed": with 6.12 installed
# beside 6.1 that would switch kernels silently.  The one place that
# decides; the Makefile and tests/vm/run-vm.sh both ask it.
set -eu
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null) || {
	echo "kver: linux-image-amd64 is not installed; set KVER=" >&2
	exit 1
}
# "linux-image-6.1.0-57-amd64 (= 6.1.192-3)" -> "6.1.0-57-amd64"
echo "$dep" | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'
