// SPDX-License-Identifier: GPL-2.0
/* The ecs-api servers one thread calls (ecs_servers.h). */
#include <errno.h>
#include <string.h>

#include "ecs_servers.h"
#include "log.h"

int ecs_servers_init(struct ecs_servers *s, const struct kms_client_config *cfg,
		     const char *const *urls, size_t n)
{
	struct kms_client_config c = *cfg;
	int r;

	memset(s, 0, sizeof(*s));
	if (!n || n > ECS_SERVERS_MAX)
		return -EINVAL;
	for (s->n = 0; s->n < n; s->n++) {
		c.endpoint = urls[s->n];
		r = kms_client_new(&c, &s->client[s->n]);
		if (r < 0)
			goto fail;
		s->url[s->n] = urls[s->n];
	}
	return 0;
fail:
	ecs_servers_release(s);
	return r;
}

void ecs_servers_release(struct ecs_servers *s)
{
	for (size_t i = 0; i < s->n; i++)
		kms_client_free(s->client[i]);
	memset(s, 0, sizeof(*s));
}

/*
 * A server that answered, even with an error, is up: the call is the
 * caller's to retry.  One that did not answer is left for the next.
 */
int ecs_servers_call(struct ecs_servers *s, const char *action,
		     const char *const *params, struct kms_response *resp)
{
	int r = kms_client_call(s->client[s->current], action, params, resp);

	if (r < 0 && !resp->http_status && s->n > 1) {
		s->current = (s->current + 1) % s->n;
		log_warn("ecs-api: no answer to %s; trying %s", action,
			 s->url[s->current]);
	}
	return r;
}
