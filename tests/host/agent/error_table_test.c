// SPDX-License-Identifier: GPL-2.0
/*
 * The error table (tools/lib/ecs_error.h) is whole and consistent: every
 * code once, an HTTP status of its class, an exit status that fits the
 * status, every errno taken to an entry; then it prints the table, one
 * "code http exit" line per entry, for error-table.sh to hold the
 * documentation to.
 */
#include <stdio.h>
#include <string.h>

#include "ecs_error.h"
#include "unit.h"

/* The exit statuses an HTTP status may go with. */
static int exit_fits(int http, int exit_status)
{
	switch (http) {
	case 400:
		return exit_status == CTL_EXIT_USAGE ||
		       exit_status == CTL_EXIT_UNAVAILABLE;	/* Throttling */
	case 401:	/* the console's: no session */
		return exit_status == CTL_EXIT_DENIED;
	case 403:
		return exit_status == CTL_EXIT_DENIED || exit_status == CTL_EXIT_STATE ||
		       exit_status == CTL_EXIT_USAGE || exit_status == CTL_EXIT_INTEGRITY ||
		       exit_status == CTL_EXIT_UNAVAILABLE;	/* no capacity */
	case 404:
		return exit_status == CTL_EXIT_NOT_FOUND || exit_status == CTL_EXIT_STATE ||
		       exit_status == CTL_EXIT_USAGE;
	case 500:
		return exit_status == CTL_EXIT_FAILURE || exit_status == CTL_EXIT_INTEGRITY;
	case 503:
		return exit_status == CTL_EXIT_UNAVAILABLE;
	}
	return 0;
}

static void test_table(void)
{
	for (int e = ECS_ERR_NONE + 1; e < ECS_ERR_COUNT; e++) {
		const struct ecs_error *x = ecs_error_get(e);

		CHECK(x->code && *x->code && x->meaning && *x->meaning);
		CHECK(strspn(x->code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.") ==
		      strlen(x->code));
		CHECK(exit_fits(x->http_status, x->exit_status));
		/* Found again by its code, and by no other entry's. */
		CHECK(ecs_error_find(x->code) == (enum ecs_err)e);
	}
	CHECK(ecs_error_find("NotFound") == ECS_ERR_NONE);
	CHECK(!strcmp(ecs_error_get(ECS_ERR_NONE)->code, "InternalError"));
	CHECK(!strcmp(ecs_error_get(ECS_ERR_COUNT)->code, "InternalError"));
}

static void test_errno_classes(void)
{
	/* Every errno has an identity in the table, none a resource's own. */
	for (int err = 1; err < 134; err++) {
		enum ecs_err e = ecs_error_from_errno(-err);

		CHECK(e > ECS_ERR_NONE && e < ECS_ERR_COUNT);
		CHECK(e != ECS_ERR_DISK_NOT_FOUND && e != ECS_ERR_SNAPSHOT_NOT_FOUND);
		CHECK(ecs_error_from_errno(err) == e);
	}
}

int main(int argc, char **argv)
{
	test_table();
	test_errno_classes();
	if (unit_failures)
		return 1;
	for (int e = ECS_ERR_NONE + 1; e < ECS_ERR_COUNT; e++) {
		const struct ecs_error *x = ecs_error_get(e);

		printf("%s %d %d\n", x->code, x->http_status, x->exit_status);
	}
	return 0;
}
