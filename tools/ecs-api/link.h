/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instances' agents connect out to the server and wait in AgentPoll
 * for work.  A poll with nothing to take is parked (its HTTP connection
 * suspended) until a task for its instance is committed, which wakes it
 * at once, or until its deadline passes.  Each instance has its own
 * queue and its own parked poll: one slow agent delays no other.
 *
 * A generation per instance closes the race between "no task yet" and
 * parking: a wake between the two bumps it, and the park then fails.
 */
#ifndef ECS_API_LINK_H
#define ECS_API_LINK_H

#include <stdbool.h>
#include <stdint.h>

struct agent_link;

/* @resume(cookie) resumes a parked poll; called without the link's lock. */
int link_start(unsigned int wait_ms, void (*resume)(void *cookie),
	       struct agent_link **out);
void link_stop(struct agent_link *l);
/*
 * Before the HTTP server stops: resume every parked poll and park no
 * more (libmicrohttpd cannot stop with a connection suspended).  Returns
 * once the resumed polls have been answered, or after @timeout_ms.
 */
void link_unpark_all(struct agent_link *l, long timeout_ms);

/* The instance's generation, read before looking for its tasks. */
uint64_t link_generation(struct agent_link *l, const char *instance);
/*
 * Park @cookie as @instance's poll if its generation is still @gen: 0, or
 * -EAGAIN (look again: it answers what it finds), -ESHUTDOWN (the server
 * is stopping).  A poll parked before for @instance is resumed: a
 * restarted agent's new poll replaces its old one.
 */
int link_park(struct agent_link *l, const char *instance, uint64_t gen,
	      void *cookie);
/* A poll resumed by link_unpark_all() has been answered. */
void link_answered(struct agent_link *l);
/* A parked cookie's connection ended (or it was resumed): forget it. */
void link_forget(struct agent_link *l, void *cookie);
/* Work for @instance was committed: resume its parked poll. */
void link_wake(struct agent_link *l, const char *instance);
/* Whether a poll of @instance is parked now (it keeps in touch). */
bool link_parked(struct agent_link *l, const char *instance);
/* How long a poll may stay parked. */
unsigned int link_wait_ms(const struct agent_link *l);

#endif
