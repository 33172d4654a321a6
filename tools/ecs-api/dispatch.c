// SPDX-License-Identifier: GPL-2.0
/*
 * One request: who signed it, which action, its parameters, the handler
 * inside one store transaction, and the answer with its RequestId.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "actions.h"
#include "kms_keys.h"
#include "link.h"
#include "log.h"
#include "nonces.h"

enum ecs_err api_fail(struct api_call *call, enum ecs_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(call->message, sizeof(call->message), fmt, ap);
	va_end(ap);
	return e;
}

bool api_region_known(const struct ecs_api *api, const char *region)
{
	for (size_t i = 0; i < api->opt.n_regions; i++)
		if (!strcmp(api->opt.regions[i], region))
			return true;
	return false;
}

/* Users' and instances' keys both sign; which one it was comes after. */
static const char *secret_of(void *arg, const char *ak)
{
	struct ecs_api *api = arg;
	const struct credential *c = credentials_find(api->users, ak);

	if (!c)
		c = credentials_find(api->instances, ak);
	return c ? c->secret : NULL;
}

static int nonce_use(void *arg, const char *ak, const char *nonce,
		     time_t expire, time_t now)
{
	struct ecs_api *api = arg;

	if (api->ops->nonce_use)
		return api->ops->nonce_use(api->store, ak, nonce, expire, now,
					   api->nonce_quota);
	return nonce_store_use(api->nonces, ak, nonce, expire, now);
}

/* Why a signature was refused, as ECS answers it. */
static enum ecs_err signature_error(enum signed_request_status st, int nonce_errno)
{
	static const enum ecs_err map[] = {
		[SIGNED_OK] = ECS_ERR_NONE,
		[SIGNED_MISSING] = ECS_ERR_MISSING_PARAMETER,
		[SIGNED_INVALID] = ECS_ERR_INVALID_PARAMETER,
		[SIGNED_INCOMPLETE] = ECS_ERR_INCOMPLETE_SIGNATURE,
		[SIGNED_BAD_TIMESTAMP] = ECS_ERR_TIMESTAMP_EXPIRED,
		[SIGNED_KEY_NOT_FOUND] = ECS_ERR_ACCESS_KEY_NOT_FOUND,
		[SIGNED_MISMATCH] = ECS_ERR_SIGNATURE_MISMATCH,
		[SIGNED_NONCE_USED] = ECS_ERR_NONCE_USED,
		[SIGNED_NONCE_REFUSED] = ECS_ERR_THROTTLING,
		[SIGNED_INTERNAL] = ECS_ERR_INTERNAL,
	};

	if (st == SIGNED_NONCE_REFUSED && nonce_errno != EDQUOT && nonce_errno != ENOSPC)
		return ECS_ERR_SERVICE_UNAVAILABLE;
	return (unsigned int)st < sizeof(map) / sizeof(*map) ? map[st] : ECS_ERR_INTERNAL;
}

static struct json_object *error_answer(const struct api_call *call,
					enum ecs_err e, int *status)
{
	const struct ecs_error *x = ecs_error_get(e);
	struct json_object *o = json_object_new_object();

	*status = x->http_status;
	json_object_object_add(o, "RequestId", json_object_new_string(call->request_id));
	json_object_object_add(o, "HostId", json_object_new_string("ecs-api"));
	json_object_object_add(o, "Code", json_object_new_string(x->code));
	json_object_object_add(o, "Message", json_object_new_string(
		call->message[0] ? call->message : x->meaning));
	json_object_object_add(o, "Recommend", json_object_new_string(""));
	return o;
}

static enum ecs_err identify(struct ecs_api *api, struct api_call *call,
			     const char *ak)
{
	const struct credential *c = credentials_find(api->users, ak);

	if (c) {
		call->caller = CALLER_USER;
		call->account = c->extra[0];
		return ECS_ERR_NONE;
	}
	c = credentials_find(api->instances, ak);
	if (!c)
		return api_fail(call, ECS_ERR_ACCESS_KEY_NOT_FOUND,
				"Specified access key is not found.");
	call->caller = CALLER_INSTANCE;
	call->instance = c->extra[0];
	call->account = c->extra[1];
	return ECS_ERR_NONE;
}

static enum ecs_err run(struct api_call *call)
{
	struct ecs_api *api = call->api;
	enum ecs_err e;

	if (call->action->checks_kms_key && call->args.kms_key_id) {
		e = kms_keys_check(api->kms, call, call->args.kms_key_id,
				   call->args.destination_region ?
				   call->args.destination_region :
				   call->args.region_id);
		if (e)
			return e;
	}
	if (api->ops->begin(api->store) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The store is not available.");
	e = call->action->fn(call);
	if (e) {
		api->ops->rollback(api->store);
		return e;
	}
	if (api->ops->commit(api->store) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The store could not record the change.");
	if (call->wake[0])
		link_wake(api->link, call->wake);
	return ECS_ERR_NONE;
}

static int finish(struct api_call *call, enum ecs_err e,
		  struct json_object **answer)
{
	int status = 200;

	if (e) {
		log_info("RequestId %s: %s: %s: %s", call->request_id,
			 call->action ? call->action->name : "-",
			 ecs_error_get(e)->code, call->message);
		json_object_put(call->reply);
		call->reply = NULL;
		*answer = error_answer(call, e, &status);
		return status;
	}
	if (!call->reply)
		call->reply = json_object_new_object();
	json_object_object_add(call->reply, "RequestId",
			       json_object_new_string(call->request_id));
	*answer = call->reply;
	call->reply = NULL;
	return status;
}

static int dispatch_action(struct api_call *call, const char *name,
			   const char *version, struct json_object **answer);

int dispatch(struct ecs_api *api, const struct signed_request *req,
	     struct api_call *call, struct json_object **answer)
{
	struct signed_request_keys keys = {
		.secret = secret_of, .nonce_use = nonce_use, .arg = api,
	};
	struct signed_request_result who;
	enum signed_request_status st;
	const char *name, *version;
	enum ecs_err e;

	call->api = api;
	call->req = req;
	if (request_id_new(call->request_id, sizeof(call->request_id)) < 0)
		snprintf(call->request_id, sizeof(call->request_id), "-");
	st = signed_request_verify(req, &keys, time(NULL), &who);
	e = signature_error(st, who.nonce_errno);
	if (e) {
		snprintf(call->message, sizeof(call->message), "%s", who.message);
		return finish(call, e, answer);
	}
	e = identify(api, call, who.access_key_id);
	if (e)
		return finish(call, e, answer);
	name = signed_request_action(req);
	version = signed_request_version(req);
	return dispatch_action(call, name, version ? version : "", answer);
}

int dispatch_session(struct ecs_api *api, const struct signed_request *req,
		     const char *account, const char *action,
		     struct api_call *call, struct json_object **answer)
{
	call->api = api;
	call->req = req;
	call->caller = CALLER_USER;
	call->account = account;
	if (request_id_new(call->request_id, sizeof(call->request_id)) < 0)
		snprintf(call->request_id, sizeof(call->request_id), "-");
	return dispatch_action(call, action, NULL, answer);
}

/*
 * @call's caller known: the action, its parameters, its handler.  A
 * signed call names its @version; a console call (NULL) does not.
 */
static int dispatch_action(struct api_call *call, const char *name,
			   const char *version, struct json_object **answer)
{
	struct ecs_api *api = call->api;
	enum ecs_err e;

	call->action = api_action_find(name);
	if (!call->action || call->action->caller != call->caller) {
		call->action = NULL;
		/* An instance key is not a user's: Agent* only, and back. */
		return finish(call, api_fail(call, ECS_ERR_UNKNOWN_ACTION,
			"The specified action %.64s is not found.", name ? name : ""),
			answer);
	}
	if (version && strcmp(version, ECS_API_VERSION))
		return finish(call, api_fail(call, ECS_ERR_INVALID_PARAMETER,
			"The specified Version %.32s is not valid: %s.",
			version, ECS_API_VERSION), answer);
	e = api_decode(call);
	if (!e && call->args.region_id && call->caller == CALLER_USER &&
	    !api_region_known(api, call->args.region_id))
		e = api_fail(call, ECS_ERR_REGION_NOT_FOUND,
			     "The specified RegionId %s does not exist.",
			     call->args.region_id);
	if (!e)
		e = run(call);
	if (!e && call->park)
		return 0;
	if (!e)
		log_info("RequestId %s: %s %s by %s", call->request_id,
			 call->action->name, call->args.disk_id ? call->args.disk_id :
			 call->args.snapshot_id ? call->args.snapshot_id : "",
			 call->account);
	return finish(call, e, answer);
}

int dispatch_again(struct api_call *call, struct json_object **answer)
{
	enum ecs_err e;

	json_object_put(call->reply);
	call->reply = NULL;
	call->park = false;
	call->resumed = true;
	e = run(call);
	call->park = false;	/* a resumed poll answers, with or without work */
	return finish(call, e, answer);
}
