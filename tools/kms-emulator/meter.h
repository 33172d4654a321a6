/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metering: every authenticated call counted per region, AccessKeyId and
 * action.  Counts live in memory and are written to the meter table with
 * the next transaction that writes anyway, on DescribeMetering and at
 * shutdown (so a kill -9 loses at most the counts of read-only calls since
 * the last write).
 */
#ifndef KMS_EMU_METER_H
#define KMS_EMU_METER_H

#include <json-c/json.h>

struct emulator;

int meter_init(struct emulator *emu);	/* loads the stored counts */
void meter_free(struct emulator *emu);
void meter_count(struct emulator *emu, const char *region,
		 const char *access_key, const char *action);
/* Caller holds emu->db_lock, inside a transaction. */
int meter_flush(struct emulator *emu);
/* {"Metering":[{RegionId, AccessKeyId, Action, Count}...], "TotalCount"} */
struct json_object *meter_json(struct emulator *emu);

#endif
