/* SPDX-License-Identifier: GPL-2.0 */
/* The regions the emulator serves (admin.c): a fixed list plus --region. */
#ifndef KMS_EMU_REGIONS_H
#define KMS_EMU_REGIONS_H

struct emulator;

int region_known(const struct emulator *emu, const char *region);

#endif
