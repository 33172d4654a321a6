// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include <keyutils.h>

#include "kernel.h"
#include "log.h"

long keyring_add_logon(const char *desc, const void *key, size_t len)
{
	key_serial_t serial;

	serial = add_key("logon", desc, key, len, KEY_SPEC_THREAD_KEYRING);
	if (serial < 0)
		return -errno;
	return serial;
}

void keyring_drop(long serial)
{
	if (serial <= 0)
		return;
	if (keyctl_invalidate((key_serial_t)serial) < 0) {
		log_warn("invalidate key %ld: %m; unlinking it", serial);
		keyctl_unlink((key_serial_t)serial, KEY_SPEC_THREAD_KEYRING);
	}
}
