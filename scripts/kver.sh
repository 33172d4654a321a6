#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release a build or a VM run uses: $KVER when set,
# otherwise the release that Debian's linux-image-amd64 meta-package pulls
# in (6.1 on Debian 12).  Never "the newest installed": with 6.12 installed
# beside 6.1 that would switch kernels silently.  The one place that
# decides; the Makefile and tests/vm/run-vm.sh both ask it.
#
#   scripts/kver.sh          the kernel to use
#   scripts/kver.sh --all    every kernel dm-ecsenc is tested on, one a line
#   scripts/kver.sh --meta   the Debian meta-packages (image) of those kernels
set -eu

# The kernels dm-ecsenc supports, by Debian meta-package: the default
# first (Debian 12's 6.1), then 6.12 from bookworm-security.
metas="linux-image-amd64 linux-image-6.12-amd64"

release_of() {		# meta-package -> the kernel release it depends on
	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null) || {
		echo "kver: $1 is not installed (scripts/install-deps.sh); set KVER=" >&2
		return 1
	}
	# "linux-image-6.1.0-57-amd64 (= 6.1.192-3)" -> "6.1.0-57-amd64"
	echo "$dep" | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'
}

case "${1:-}" in
--all)
	for m in $metas; do
		release_of "$m"
	done
	;;
--meta)
	for m in $metas; do
		echo "$m"
	done
	;;
"")
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
	else
		release_of linux-image-amd64
	fi
	;;
*)
	echo "usage: $0 [--all | --meta]" >&2
	exit 2
	;;
esac
