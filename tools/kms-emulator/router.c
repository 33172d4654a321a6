// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "auth.h"
#include "kms_sign.h"
#include "log.h"
#include "meter.h"
#include "regions.h"
#include "router.h"
#include "store.h"

#define ROUTE_ADMIN 1u		/* only for the --admin-key access key */

struct route {
	const char *action;
	kms_action_fn fn;
	unsigned int flags;
	kms_action_fn prepare;	/* optional, runs before taking db_lock */
};

#define ROUTE(name, handler, ...) \
	{ .action = name, .fn = handler, __VA_ARGS__ }

static const struct route routes[] = {
	ROUTE("CreateKey", act_create_key),
	ROUTE("DescribeKey", act_describe_key),
	ROUTE("ListKeys", act_list_keys),
	ROUTE("UpdateKeyDescription", act_update_key_description),
	ROUTE("EnableKey", act_enable_key),
	ROUTE("DisableKey", act_disable_key),
	ROUTE("ScheduleKeyDeletion", act_schedule_key_deletion),
	ROUTE("CancelKeyDeletion", act_cancel_key_deletion),
	ROUTE("GenerateDataKey", act_generate_data_key),
	ROUTE("GenerateDataKeyWithoutPlaintext",
	      act_generate_data_key_without_plaintext),
	ROUTE("Encrypt", act_encrypt),
	ROUTE("Decrypt", act_decrypt),
	ROUTE("ReEncrypt", act_re_encrypt),
	ROUTE("GetParametersForImport", act_get_parameters_for_import,
	      .prepare = prep_get_parameters_for_import),
	ROUTE("ImportKeyMaterial", act_import_key_material),
	ROUTE("DeleteKeyMaterial", act_delete_key_material),
	ROUTE("CreateAlias", act_create_alias),
	ROUTE("UpdateAlias", act_update_alias),
	ROUTE("DeleteAlias", act_delete_alias),
	ROUTE("ListAliases", act_list_aliases),
	ROUTE("ListAliasesByKeyId", act_list_aliases_by_key_id),
	ROUTE("CreateKeyVersion", act_create_key_version),
	ROUTE("ListKeyVersions", act_list_key_versions),
	ROUTE("DescribeKeyVersion", act_describe_key_version),
	ROUTE("UpdateRotationPolicy", act_update_rotation_policy),
	ROUTE("DescribeRegions", act_describe_regions),
	ROUTE("AdvanceClock", act_advance_clock, .flags = ROUTE_ADMIN),
	ROUTE("DescribeMetering", act_describe_metering, .flags = ROUTE_ADMIN),
};

static const struct route *route_find(const char *action)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(routes[i].action, action))
			return &routes[i];
	return NULL;
}

static struct json_object *error_answer(const struct kms_ctx *ctx,
					enum kms_err e)
{
	const struct kms_err_info *info = kms_err_info(e);
	struct json_object *o = json_object_new_object();
	char host[128], rec[256];

	snprintf(host, sizeof(host), "kms.%s.aliyuncs.com", ctx->region);
	snprintf(rec, sizeof(rec),
		 "https://api.aliyun.com/troubleshoot?q=%s&product=Kms",
		 info->code);
	json_object_object_add(o, "HostId", json_object_new_string(host));
	json_object_object_add(o, "Code", json_object_new_string(info->code));
	json_object_object_add(o, "Message", json_object_new_string(
			       ctx->message[0] ? ctx->message : info->message));
	json_object_object_add(o, "Recommend", json_object_new_string(rec));
	return o;
}

/* Runs the handler inside one transaction under the database lock. */
static enum kms_err dispatch(struct kms_ctx *ctx, const struct route *r,
			     struct json_object *out)
{
	struct emulator *emu = ctx->emu;
	enum kms_err err;
	int changes;

	if (r->prepare) {
		err = r->prepare(ctx, out);
		if (err)
			return err;
	}
	pthread_mutex_lock(&emu->db_lock);
	ctx->now = time(NULL) + emu->clock_offset;
	if (store_exec(emu, "BEGIN IMMEDIATE")) {
		pthread_mutex_unlock(&emu->db_lock);
		return E_INTERNAL;
	}
	changes = sqlite3_total_changes(emu->db);
	err = r->fn(ctx, out);
	/* A write pays for an fsync anyway: store the counts with it. */
	if (!err && sqlite3_total_changes(emu->db) != changes &&
	    meter_flush(emu))
		err = E_INTERNAL;
	if (err)
		store_exec(emu, "ROLLBACK");
	else if (store_exec(emu, "COMMIT")) {
		store_exec(emu, "ROLLBACK");
		err = E_INTERNAL;
	}
	pthread_mutex_unlock(&emu->db_lock);
	return err;
}

static enum kms_err route_request(struct kms_ctx *ctx, struct json_object *out)
{
	const char *action = auth_action(ctx->req);
	const char *version = auth_version(ctx->req);
	const char *region = req_param(ctx->req, "RegionId");
	const struct route *r;
	enum kms_err err;

	if (region && *region) {
		if (strlen(region) > KMS_REGION_MAX ||
		    !region_known(ctx->emu, region))
			return kms_fail(ctx, E_INVALID_REGION,
					"The specified RegionId %.40s is not valid.",
					region);
		snprintf(ctx->region, sizeof(ctx->region), "%s", region);
	}
	if (!action || !*action)
		return kms_missing(ctx, "Action");
	r = route_find(action);
	ctx->action = r ? r->action : "(unknown)";
	err = auth_verify(ctx);
	if (err)
		return err;
	meter_count(ctx->emu, ctx->region, ctx->access_key_id,
		    r ? r->action : "(unknown)");
	if (!version)
		return kms_missing(ctx, "Version");
	if (strcmp(version, KMS_API_VERSION))
		return E_INVALID_VERSION;
	if (!r)
		return kms_fail(ctx, E_INVALID_ACTION,
				"Specified api %.64s is not found.", action);
	if ((r->flags & ROUTE_ADMIN) &&
	    (!ctx->emu->opt.admin_key ||
	     strcmp(ctx->access_key_id, ctx->emu->opt.admin_key)))
		return kms_fail(ctx, E_NO_PERMISSION,
				"%s is an emulator admin action.", r->action);
	return dispatch(ctx, r, out);
}

int router_handle(struct emulator *emu, struct kms_request *req,
		  struct json_object **answer)
{
	struct kms_ctx ctx = { .emu = emu, .req = req, .action = "-",
			       .access_key_id = "-" };
	struct json_object *out = json_object_new_object();
	char request_id[KMS_UUID_LEN + 1] = "";
	const struct kms_err_info *info;
	struct timespec t0, t1;
	enum kms_err err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(ctx.region, sizeof(ctx.region), "%s", emu->opt.default_region);
	strcpy(ctx.log_key, "-");
	kms_uuid(request_id);
	err = route_request(&ctx, out);
	if (ctx.scratch_free)
		ctx.scratch_free(ctx.scratch);
	if (err) {
		json_object_put(out);
		out = error_answer(&ctx, err);
	}
	json_object_object_add(out, "RequestId",
			       json_object_new_string(request_id));
	*answer = out;
	info = kms_err_info(err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("request %s action=%.64s region=%s ak=%.64s key=%s status=%d%s%s latency_us=%ld",
		 request_id, ctx.action, ctx.region, ctx.access_key_id,
		 ctx.log_key, info->http_status, err ? " code=" : "",
		 info->code, (long)((t1.tv_sec - t0.tv_sec) * 1000000L +
				    (t1.tv_nsec - t0.tv_nsec) / 1000));
	return info->http_status;
}

int router_error(struct emulator *emu, enum kms_err e,
		 struct json_object **answer)
{
	struct kms_ctx ctx = { .emu = emu };
	char request_id[KMS_UUID_LEN + 1] = "";

	snprintf(ctx.region, sizeof(ctx.region), "%s", emu->opt.default_region);
	kms_uuid(request_id);
	*answer = error_answer(&ctx, e);
	json_object_object_add(*answer, "RequestId",
			       json_object_new_string(request_id));
	log_info("request %s status=%d code=%s", request_id,
		 kms_err_info(e)->http_status, kms_err_info(e)->code);
	return kms_err_info(e)->http_status;
}
