/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The audit trail leaves the host: a thread of the link to ecs-api
 * (ecs_link.h) sends the records of the audit log (audit.h) to the
 * server with AgentAuditShip, in order, in batches, each record as the
 * line written with its PrevHash and Hash.  The log is the queue: a
 * record is sent once it is written and anchored, and the server's head
 * (the last record it holds, in every answer) says where to go on, after
 * a restart of either side or an outage: nothing is lost, nothing is
 * stored twice.  The server checks that every record continues its chain,
 * so a log rewritten on the host cannot rewrite what it holds.
 */
#ifndef ECSENC_AUDIT_SHIP_H
#define ECSENC_AUDIT_SHIP_H

#include "agent.h"
#include "kms_client.h"

struct audit_ship;

/*
 * @cfg: the link's instance key (copied); @urls: its servers, called as
 * the link calls them (ecs_servers.h): the first until it does not
 * answer, then the next.
 */
int audit_ship_start(struct agent *a, const struct kms_client_config *cfg,
		     const char *const *urls, size_t n_urls, struct audit_ship **out);
/* Stops and joins the thread (a call under way ends within its timeout). */
void audit_ship_stop(struct audit_ship *s);

#endif
