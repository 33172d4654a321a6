// SPDX-License-Identifier: GPL-2.0
/*
 * The instances' audit trails, kept off the hosts (not ECS): each agent
 * ships its records with AgentAuditShip, and the server keeps a record
 * only if it continues the chain it holds for that instance.  A record
 * that does not (history rewritten on the host, records removed, a record
 * edited) is refused and kept as a finding; the records held are never
 * replaced.  DescribeAuditRecords serves an account its instances' trails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "audit_record.h"
#include "log.h"

#define SHIP_MAX_RECORDS	500	/* per AgentAuditShip */
#define FINDINGS_MAX		100	/* kept per instance */
#define DESCRIBE_DEFAULT	100	/* DescribeAuditRecords without MaxResults */

/* A store of an older interface may not have them. */
static bool store_keeps_audit(const struct ecs_store_ops *ops)
{
	return ops->audit_head && ops->audit_hash && ops->audit_put &&
	       ops->audit_list && ops->audit_finding_put && ops->audit_finding_list;
}

static enum ecs_err no_audit_store(struct api_call *call)
{
	return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
			"The %s store does not keep audit records.", call->api->ops->name);
}

struct ship {
	struct api_call *call;
	struct ecs_audit_record head;	/* the last record held */
	bool have_head;
	int64_t accepted;
	struct ecs_audit_finding refused;
	bool was_refused;
};

static int count_finding(const struct ecs_audit_finding *f, void *arg)
{
	(void)f;
	(*(size_t *)arg)++;
	return 0;
}

/* Refuse the record (@seq 0: not a record) and keep it as a finding. */
static int refuse(struct ship *sh, int64_t seq, const char *hash,
		  const char *line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int refuse(struct ship *sh, int64_t seq, const char *hash,
		  const char *line, const char *fmt, ...)
{
	struct ecs_audit_finding *f = &sh->refused;
	struct ecs_api *api = sh->call->api;
	size_t kept = 0;
	va_list ap;

	memset(f, 0, sizeof(*f));
	snprintf(f->instance, sizeof(f->instance), "%s", sh->call->instance);
	snprintf(f->account, sizeof(f->account), "%s", sh->call->account);
	f->seq = seq;
	snprintf(f->hash, sizeof(f->hash), "%s", hash ? hash : "");
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
	f->line = line ? line : "";
	f->found_ms = now_ms();
	sh->was_refused = true;
	log_warn("RequestId %s: audit record Seq %lld of %s refused: %s",
		 sh->call->request_id, (long long)seq, f->instance, f->reason);
	if (api->ops->audit_finding_list(api->store, f->account, f->instance,
					 count_finding, &kept) < 0)
		return -1;
	return kept < FINDINGS_MAX ?
	       api->ops->audit_finding_put(api->store, f) : 0;
}

/*
 * One record: held already (the same one sent again: nothing to do), the
 * next of the chain (kept), or refused.  0 to go on, 1 refused, -1 store.
 */
static int take(struct ship *sh, const char *line, size_t len)
{
	struct ecs_api *api = sh->call->api;
	struct audit_record_info info;
	char why[160], held[ECS_AUDIT_HASH_MAX + 1];
	struct ecs_audit_record r = { 0 };
	int e;

	if (audit_record_check(line, len, &info, why, sizeof(why)) < 0)
		return refuse(sh, 0, NULL, NULL, "not an audit record: %s", why) < 0 ? -1 : 1;
	if (sh->have_head && info.seq <= sh->head.seq) {
		e = api->ops->audit_hash(api->store, sh->call->instance, info.seq, held);
		if (e == 0 && !strcmp(held, info.hash))
			return 0;
		if (e < 0 && e != -ENOENT)
			return -1;
		return refuse(sh, info.seq, info.hash, line, e == 0 ?
			      "record Seq %lld differs from the one held: history was rewritten on the host" :
			      "record Seq %lld comes before the first record held",
			      info.seq) < 0 ? -1 : 1;
	}
	if (sh->have_head && info.seq > sh->head.seq + 1)
		return refuse(sh, info.seq, info.hash, line,
			      "records Seq %lld to %lld never arrived: they were removed on the host",
			      (long long)sh->head.seq + 1, info.seq - 1) < 0 ? -1 : 1;
	if (sh->have_head && strcmp(info.prev, sh->head.hash))
		return refuse(sh, info.seq, info.hash, line,
			      "record Seq %lld does not follow record Seq %lld held (PrevHash differs): history was rewritten on the host",
			      info.seq, (long long)sh->head.seq) < 0 ? -1 : 1;
	snprintf(r.instance, sizeof(r.instance), "%s", sh->call->instance);
	snprintf(r.account, sizeof(r.account), "%s", sh->call->account);
	r.seq = info.seq;
	memcpy(r.hash, info.hash, sizeof(r.hash));
	memcpy(r.prev_hash, info.prev, sizeof(r.prev_hash));
	r.line = line;
	r.received_ms = now_ms();
	if (api->ops->audit_put(api->store, &r) < 0)
		return -1;
	sh->head = r;
	sh->head.line = NULL;
	sh->have_head = true;
	sh->accepted++;
	return 0;
}

/* The instance is known from its first call on, as AgentPoll makes it. */
static int instance_known(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct ecs_instance i;

	if (api->ops->instance_get(api->store, call->instance, &i) == 0)
		return 0;
	memset(&i, 0, sizeof(i));
	snprintf(i.id, sizeof(i.id), "%s", call->instance);
	snprintf(i.account, sizeof(i.account), "%s", call->account);
	return api->ops->instance_put(api->store, &i);
}

/*
 * Records: a JSON array of records, each the line the agent wrote.  The
 * answer: the head held after them (HeadSeq, HeadHash; 0 and "" for
 * none), Accepted, and Refused {Seq, Reason} for the first record
 * refused (those after it are not looked at).  A refusal is an answer,
 * not an error: the finding it keeps must be committed.
 */
enum ecs_err act_agent_audit_ship(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct json_object *records = NULL, *o;
	struct ship sh = { .call = call };
	size_t n = 0;
	int r;

	if (!store_keeps_audit(api->ops))
		return no_audit_store(call);
	if (call->args.records) {
		records = json_tokener_parse(call->args.records);
		if (!records || !json_object_is_type(records, json_type_array) ||
		    json_object_array_length(records) > SHIP_MAX_RECORDS) {
			json_object_put(records);
			return api_fail(call, ECS_ERR_INVALID_PARAMETER,
					"Records must be a JSON array of at most %d audit records.",
					SHIP_MAX_RECORDS);
		}
		n = json_object_array_length(records);
	}
	r = api->ops->audit_head(api->store, call->instance, &sh.head);
	sh.have_head = r == 0;
	if ((r < 0 && r != -ENOENT) || instance_known(call) < 0)
		goto store_failed;
	for (size_t i = 0; i < n && !sh.was_refused; i++) {
		struct json_object *e = json_object_array_get_idx(records, i);

		if (!json_object_is_type(e, json_type_string))
			r = refuse(&sh, 0, NULL, NULL, "not an audit record: not a string") < 0 ? -1 : 1;
		else
			r = take(&sh, json_object_get_string(e),
				 (size_t)json_object_get_string_len(e));
		if (r < 0)
			goto store_failed;
	}
	json_object_put(records);
	call->reply = json_object_new_object();
	json_object_object_add(call->reply, "HeadSeq",
			       json_object_new_int64(sh.have_head ? sh.head.seq : 0));
	json_object_object_add(call->reply, "HeadHash",
			       json_object_new_string(sh.have_head ? sh.head.hash : ""));
	json_object_object_add(call->reply, "Accepted", json_object_new_int64(sh.accepted));
	if (sh.was_refused) {
		o = json_object_new_object();
		json_object_object_add(o, "Seq", json_object_new_int64(sh.refused.seq));
		json_object_object_add(o, "Reason", json_object_new_string(sh.refused.reason));
		json_object_object_add(call->reply, "Refused", o);
	}
	return ECS_ERR_NONE;
store_failed:
	json_object_put(records);
	return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
			"The audit records could not be recorded.");
}

struct record_page {
	struct json_object *items;
	size_t max;
	int64_t last;			/* Seq of the last record listed */
	bool more;
};

static int list_record(const struct ecs_audit_record *r, void *arg)
{
	struct record_page *w = arg;
	struct json_object *o;

	if (json_object_array_length(w->items) == w->max) {
		w->more = true;
		return 1;
	}
	o = json_tokener_parse(r->line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
		json_object_object_add(o, "Seq", json_object_new_int64(r->seq));
	}
	json_object_object_add(o, "Line", json_object_new_string(r->line));
	json_object_object_add(o, "ReceivedTime", ecs_time_json(r->received_ms / 1000));
	json_object_array_add(w->items, o);
	w->last = r->seq;
	return 0;
}

static int list_finding(const struct ecs_audit_finding *f, void *arg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "Seq", json_object_new_int64(f->seq));
	json_object_object_add(o, "Hash", json_object_new_string(f->hash));
	json_object_object_add(o, "Reason", json_object_new_string(f->reason));
	json_object_object_add(o, "Line", json_object_new_string(f->line ? f->line : ""));
	json_object_object_add(o, "FoundTime", ecs_time_json(f->found_ms / 1000));
	json_object_array_add(arg, o);
	return 0;
}

static struct json_object *wrapped(const char *inner, struct json_object *arr)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, inner, arr);
	return o;
}

/*
 * InstanceId: one of the caller's instances.  A page of its records in
 * Seq order (MaxResults, 100 by default; NextToken from the page before),
 * and ChainStatus: Intact, or Broken with the ChainFindings.
 */
enum ecs_err act_describe_audit_records(struct api_call *call)
{
	struct ecs_api *api = call->api;
	const struct api_args *a = &call->args;
	struct record_page w = { json_object_new_array(), 0, 0, false };
	struct json_object *findings = json_object_new_array();
	struct ecs_instance i;
	int64_t after = 0;
	char next[24] = "";
	char *end;

	if (!store_keeps_audit(api->ops)) {
		json_object_put(w.items);
		json_object_put(findings);
		return no_audit_store(call);
	}
	if (a->next_token) {
		after = strtoll(a->next_token, &end, 10);
		if (*end || after < 0) {
			json_object_put(w.items);
			json_object_put(findings);
			return api_fail(call, ECS_ERR_INVALID_PARAMETER,
					"The specified NextToken is not valid.");
		}
	}
	if (api->ops->instance_get(api->store, a->instance_id, &i) < 0 ||
	    strcmp(i.account, call->account)) {
		json_object_put(w.items);
		json_object_put(findings);
		return api_fail(call, ECS_ERR_INSTANCE_NOT_FOUND,
				"The specified instance %s does not exist.", a->instance_id);
	}
	w.max = a->max_results ? (size_t)a->max_results : DESCRIBE_DEFAULT;
	if (api->ops->audit_list(api->store, call->account, a->instance_id, after,
				 w.max + 1, list_record, &w) < 0 ||
	    api->ops->audit_finding_list(api->store, call->account, a->instance_id,
					 list_finding, findings) < 0) {
		json_object_put(w.items);
		json_object_put(findings);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The audit records cannot be read.");
	}
	if (w.more)
		snprintf(next, sizeof(next), "%lld", (long long)w.last);
	call->reply = json_object_new_object();
	json_object_object_add(call->reply, "InstanceId", json_object_new_string(a->instance_id));
	json_object_object_add(call->reply, "ChainStatus", json_object_new_string(
		json_object_array_length(findings) ? "Broken" : "Intact"));
	json_object_object_add(call->reply, "ChainFindings", wrapped("ChainFinding", findings));
	json_object_object_add(call->reply, "AuditRecords", wrapped("AuditRecord", w.items));
	json_object_object_add(call->reply, "NextToken", json_object_new_string(next));
	return ECS_ERR_NONE;
}
