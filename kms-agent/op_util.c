// SPDX-License-Identifier: GPL-2.0
/* The context of one operation: its error and its KMS bill. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "agent_proto.h"
#include "backend.h"
#include "catalog.h"
#include "log.h"

int op_fail(struct op_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

int op_fail_code(struct op_ctx *ctx, int err, enum ecs_err code,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	ctx->code = code;
	return err < 0 ? err : -err;
}

void op_count_kms_call(struct op_ctx *ctx, const char *action)
{
	size_t i;

	for (i = 0; i < ctx->n_kms_calls; i++)
		if (!strcmp(ctx->kms_calls[i].action, action))
			break;
	if (i == OP_MAX_KMS_ACTIONS) {
		log_err("%s: more than %d KMS actions, %s not billed", ctx->op,
			OP_MAX_KMS_ACTIONS, action);
		return;
	}
	if (i == ctx->n_kms_calls)
		ctx->kms_calls[ctx->n_kms_calls++] =
			(struct op_kms_tally){ .action = action };
	ctx->kms_calls[i].calls++;
}

void op_bill(struct op_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_kms_calls; i++)
		catalog_count_kms_calls(ctx->agent->catalog, ctx->region,
					ctx->op, ctx->kms_calls[i].action,
					ctx->kms_calls[i].calls);
	ctx->n_kms_calls = 0;
}

/* A caller sees progress this often at most, and waits this long for none. */
#define OP_PROGRESS_EVERY_MS	250
#define OP_PROGRESS_SEND_MS	1000

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void op_progress(struct op_ctx *ctx, const char *stage, uint64_t done,
		 uint64_t total)
{
	struct json_object *p;
	long now = mono_ms();

	if (!ctx || !ctx->progress_on ||
	    (ctx->progress_sent_ms && now - ctx->progress_sent_ms < OP_PROGRESS_EVERY_MS))
		return;
	ctx->progress_sent_ms = now;
	p = json_object_new_object();
	json_object_object_add(p, "Stage", json_object_new_string(stage));
	json_object_object_add(p, "Done", json_object_new_int64((int64_t)done));
	json_object_object_add(p, "Total", json_object_new_int64((int64_t)total));
	if (proto_send_progress(ctx->progress_fd, p, OP_PROGRESS_SEND_MS) < 0)
		ctx->progress_on = false;
	json_object_put(p);
}

static __thread struct op_ctx *current_op;

struct op_ctx *op_current(void)
{
	return current_op;
}

void op_set_current(struct op_ctx *ctx)
{
	current_op = ctx;
}

void backend_progress(const char *stage, uint64_t done, uint64_t total)
{
	op_progress(current_op, stage, done, total);
}
