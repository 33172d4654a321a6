/* SPDX-License-Identifier: GPL-2.0 */
/*
 * While the link (ecs_link.h) runs a task and reports it, it does not
 * poll, and ecs-api takes an instance whose agent is quiet for
 * --agent-silence to be Stopped (and lets AttachDisk Force=true fence
 * it).  So a thread of its own calls AgentKeepAlive meanwhile, as often
 * as the server asks (KeepAliveMs, in every AgentPoll answer: a third of
 * its --agent-silence), to the servers as the link calls them.
 */
#ifndef ECSENC_ECS_KEEPALIVE_H
#define ECSENC_ECS_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "kms_client.h"

struct ecs_keepalive;

/* @cfg: the link's instance key (copied); @urls: its servers. */
int ecs_keepalive_start(const struct kms_client_config *cfg,
			const char *const *urls, size_t n_urls,
			struct ecs_keepalive **out);
/*
 * Stops and joins the thread (a call under way ends within its timeout);
 * @k stays for a link thread still finishing a task (busy() then does
 * nothing) until ecs_keepalive_free().
 */
void ecs_keepalive_stop(struct ecs_keepalive *k);
void ecs_keepalive_free(struct ecs_keepalive *k);

/* A task begins (@busy) or is reported: keep-alives go meanwhile only. */
void ecs_keepalive_busy(struct ecs_keepalive *k, bool busy);
/* The server's KeepAliveMs (ignored when out of bounds). */
void ecs_keepalive_interval(struct ecs_keepalive *k, long ms);

#endif
