// SPDX-License-Identifier: GPL-2.0
/*
 * The agent's request decoder (tools/lib/agent_ops.c): whatever the
 * bytes, a request either is refused with a message or decodes into
 * arguments that hold the table's promises (ids are tokens, sizes within
 * the disk limits, at most the allowed number of ids and parameters), and
 * encoding those arguments again decodes to the same request.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent_ops.h"

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_token(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > AGENT_ID_MAX || strpbrk(s, " \t\n\"\\"))
		abort();
}

static void check_args(const struct agent_args *a)
{
	const char *const strs[] = {
		a->disk_id, a->snapshot_id, a->category, a->kms_key_id, a->action,
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++)
		if (strs[i])
			check_token(strs[i]);
	if (a->size && (a->size < AGENT_DISK_SIZE_MIN ||
			a->size > AGENT_DISK_SIZE_MAX ||
			a->size % AGENT_DISK_SIZE_ALIGN))
		abort();
	if (a->n_disk_ids > AGENT_MAX_IDS || a->n_params > AGENT_MAX_KMS_PARAMS)
		abort();
	for (size_t i = 0; i < a->n_disk_ids; i++)
		check_token(a->disk_ids[i]);
	for (size_t i = 0; i < a->n_params; i++) {
		check_token(a->params[i].name);
		if (!a->params[i].value)
			abort();
	}
}

static void check_same(const struct agent_request *x,
		       const struct agent_request *y)
{
	const struct agent_args *a = &x->args, *b = &y->args;

	if (x->op != y->op || !same_str(x->region, y->region) ||
	    !same_str(a->disk_id, b->disk_id) ||
	    !same_str(a->snapshot_id, b->snapshot_id) ||
	    !same_str(a->category, b->category) ||
	    !same_str(a->kms_key_id, b->kms_key_id) ||
	    !same_str(a->action, b->action) || a->size != b->size ||
	    a->encrypted != b->encrypted || a->n_disk_ids != b->n_disk_ids ||
	    a->n_params != b->n_params)
		abort();
	for (size_t i = 0; i < a->n_disk_ids; i++)
		if (strcmp(a->disk_ids[i], b->disk_ids[i]))
			abort();
	for (size_t i = 0; i < a->n_params; i++)
		if (strcmp(a->params[i].name, b->params[i].name) ||
		    strcmp(a->params[i].value, b->params[i].value))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req, *again;
	struct agent_request rq, rq2;
	char err[256];

	if (!tok)
		abort();
	req = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (agent_request_decode(req, &rq, err, sizeof(err)) == 0) {
		if (!rq.op || rq.op != agent_op_find(rq.op->name))
			abort();
		if (rq.region)
			check_token(rq.region);
		check_args(&rq.args);
		again = agent_request_encode(rq.op->id, rq.region, rq.request_id, &rq.args);
		if (!again || agent_request_decode(again, &rq2, err, sizeof(err)))
			abort();
		check_same(&rq, &rq2);
		json_object_put(again);
	} else if (!err[0]) {
		abort();		/* every refusal says why */
	}
	json_object_put(req);
	return 0;
}
