/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data directory (--data-dir): created 0700 if missing, made 0700 and
 * every file in it 0600 if an older start left them wider, and owned by
 * one emulator at a time through an flock() on DIR/lock, which also
 * records the owner's pid.
 */
#ifndef KMS_EMU_DATADIR_H
#define KMS_EMU_DATADIR_H

struct emulator;

/*
 * @shared: a reader (--print-metering) that may run beside other readers
 * but not beside a serving emulator.  -EBUSY when another process owns
 * the directory (logged with its pid).
 */
int datadir_open(struct emulator *emu, int shared);
void datadir_close(struct emulator *emu);

#endif
