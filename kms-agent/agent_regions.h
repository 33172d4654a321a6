/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The regions an agent serves and the KMS endpoint of each: a closed set
 * from its options, checked once at start; a request that names another
 * region is refused before anything is done for it.
 */
#ifndef ECSENC_AGENT_REGIONS_H
#define ECSENC_AGENT_REGIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "agent.h"

/* The placeholder of a KMS endpoint template. */
#define AGENT_REGION_PLACEHOLDER	"{region}"

/* The region options as given on the command line. */
struct agent_regions_config {
	const char *default_region;	/* --region */
	const char *kms_endpoint;	/* --kms-endpoint: URL or template; NULL */
	const char *lists[AGENT_MAX_REGIONS];	/* each --regions a,b,c */
	size_t n_lists;
	const char *endpoints[AGENT_MAX_REGIONS];	/* each --region-endpoint R=URL */
	size_t n_endpoints;
	bool allow_http;		/* --kms-allow-http: plain http off loopback */
};

/*
 * Fill a->regions from @cfg: the default region, those of --regions and
 * those of --region-endpoint, each spelt as ECS spells it and each with
 * one endpoint that is https, or http to a loopback address.  0, or
 * -EINVAL with the reason in @why.
 */
int agent_regions_configure(struct agent *a,
			    const struct agent_regions_config *cfg,
			    char *why, size_t why_len);

/* The served region @id (exact spelling), or NULL. */
struct agent_region *agent_region_find(struct agent *a, const char *id);

/*
 * The one admission check of the regions a request names (its region
 * and @destination, which may be NULL): 0, or ECS's
 * InvalidRegionId.NotFound in @ctx.
 */
int agent_regions_admit(struct op_ctx *ctx, const char *destination);

/* Log each region and its KMS (at start). */
void agent_regions_log(const struct agent *a);

#endif
