// SPDX-License-Identifier: GPL-2.0
/*
 * DescribeRegions, and the emulator's own admin actions (allowed only to
 * the --admin-key AccessKeyId): AdvanceClock and DescribeMetering.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"
#include "meter.h"
#include "regions.h"
#include "store.h"

static const char *const regions[] = {
	"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen",
	"cn-qingdao", "cn-zhangjiakou", "cn-huhehaote", "cn-chengdu",
	"cn-hongkong", "ap-southeast-1", "ap-southeast-5", "ap-northeast-1",
	"us-west-1", "us-east-1", "eu-central-1", "eu-west-1", NULL,
};

int region_known(const struct emulator *emu, const char *region)
{
	size_t i;

	if (!strcmp(region, emu->opt.default_region))
		return 1;
	for (i = 0; regions[i]; i++)
		if (!strcmp(region, regions[i]))
			return 1;
	return 0;
}

static struct json_object *region_json(const char *id)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "RegionId", json_object_new_string(id));
	return o;
}

enum kms_err act_describe_regions(struct kms_ctx *ctx, struct json_object *out)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i;

	for (i = 0; regions[i]; i++)
		json_object_array_add(arr, region_json(regions[i]));
	for (i = 0; regions[i]; i++)
		if (!strcmp(regions[i], ctx->emu->opt.default_region))
			break;
	if (!regions[i])
		json_object_array_add(arr, region_json(ctx->emu->opt.default_region));
	o = json_object_new_object();
	json_object_object_add(o, "Region", arr);
	json_object_object_add(out, "Regions", o);
	return KMS_OK;
}

enum kms_err act_advance_clock(struct kms_ctx *ctx, struct json_object *out)
{
	struct emulator *emu = ctx->emu;
	const char *s = req_param(ctx->req, "Seconds");
	long secs;

	if (!s)
		return kms_missing(ctx, "Seconds");
	if (parse_long(s, 0, 100L * 366 * 24 * 3600, &secs))
		return kms_invalid(ctx, "Seconds");
	/* Times are written with four-digit years: no clock past 9999. */
	if ((long long)ctx->now + secs > KMS_CLOCK_MAX)
		return kms_fail(ctx, E_INVALID_PARAMETER,
				"Seconds would move the clock past %s, the last time KMS answers can carry.",
				KMS_CLOCK_MAX_TEXT);
	/* Called with db_lock held (router.c), which guards clock_offset. */
	if (store_set_meta(emu, "clock_offset", emu->clock_offset + secs))
		return E_INTERNAL;
	emu->clock_offset += secs;
	ctx->now += secs;
	if (keys_sweep(ctx))
		return E_INTERNAL;
	json_object_object_add(out, "ClockOffset",
			       json_object_new_int64(emu->clock_offset));
	json_object_object_add(out, "Now", json_time(ctx->now));
	return KMS_OK;
}

enum kms_err act_describe_metering(struct kms_ctx *ctx, struct json_object *out)
{
	struct json_object *m;

	if (meter_flush(ctx->emu))
		return E_INTERNAL;
	m = meter_json(ctx->emu);
	json_object_object_foreach(m, k, v)
		json_object_object_add(out, k, json_object_get(v));
	json_object_put(m);
	return KMS_OK;
}
