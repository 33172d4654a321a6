// SPDX-License-Identifier: GPL-2.0
/* The context of one operation: its error and its KMS bill. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
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
