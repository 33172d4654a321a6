// SPDX-License-Identifier: GPL-2.0
/*
 * Documentation/operations.md's protocol table against the one
 * declaration of the protocol (tools/lib/agent_ops.c): every operation is
 * documented, with exactly the arguments its policy takes, and the doc
 * names no operation the table does not have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_ops.h"
#include "unit.h"

/* The "| `op`, `op` | `arg`, `arg` | ..." rows of the protocol table. */
static int documented(const char *doc_path, const struct agent_op *op)
{
	char line[1024], want[160];
	FILE *f = fopen(doc_path, "r");
	int in_table = 0, found = 0;

	if (!f) {
		perror(doc_path);
		exit(1);
	}
	snprintf(want, sizeof(want), "`%s`", op->name);
	while (fgets(line, sizeof(line), f)) {
		char *cells, *args_cell, *end;

		if (!strncmp(line, "| op | args | result |", 22)) {
			in_table = 1;
			continue;
		}
		if (!in_table)
			continue;
		if (line[0] != '|')
			break;
		cells = line + 1;
		args_cell = strchr(cells, '|');
		if (!args_cell)
			continue;
		*args_cell++ = '\0';
		end = strchr(args_cell, '|');
		if (end)
			*end = '\0';
		if (!strstr(cells, want))
			continue;
		found = 1;
		for (const struct agent_arg_policy *p = op->args; p->name; p++) {
			char arg[80];

			snprintf(arg, sizeof(arg), "`%s`", p->name);
			if (!strstr(args_cell, arg))
				FAIL("%s: argument %s is not documented", op->name,
				     p->name);
		}
		/* Every `word` in the args cell must be an argument. */
		for (char *q = strchr(args_cell, '`'); q; q = strchr(q, '`')) {
			char *close = strchr(q + 1, '`');
			const struct agent_arg_policy *p;

			if (!close)
				break;
			*close = '\0';
			for (p = op->args; p->name && strcmp(p->name, q + 1); p++)
				;
			if (!p->name)
				FAIL("%s: documented argument %s is not in the table",
				     op->name, q + 1);
			q = close + 1;
		}
	}
	fclose(f);
	return found;
}

/* Every `op` named in the first column is an operation of the table. */
static void no_strangers(const char *doc_path)
{
	char line[1024];
	FILE *f = fopen(doc_path, "r");
	int in_table = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *cell_end, *q;

		if (!strncmp(line, "| op | args | result |", 22)) {
			in_table = 1;
			continue;
		}
		if (!in_table || !strncmp(line, "| ---", 5))
			continue;
		if (line[0] != '|')
			break;
		cell_end = strchr(line + 1, '|');
		if (!cell_end)
			continue;
		*cell_end = '\0';
		for (q = strchr(line, '`'); q; q = strchr(q, '`')) {
			char *close = strchr(q + 1, '`');

			if (!close)
				break;
			*close = '\0';
			if (!agent_op_find(q + 1))
				FAIL("the doc names an operation %s the table does not have",
				     q + 1);
			q = close + 1;
		}
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	const char *doc = getenv("OPERATIONS_MD");

	if (!doc) {
		fprintf(stderr, "OPERATIONS_MD not set\n");
		return 2;
	}
	for (int i = 0; i < AGENT_OP_COUNT; i++) {
		const struct agent_op *op = agent_op_get(i);

		if (!documented(doc, op))
			FAIL("operation %s is not in the protocol table of %s",
			     op->name, doc);
	}
	no_strangers(doc);
	return unit_summary("%d operations documented as declared", AGENT_OP_COUNT);
}
