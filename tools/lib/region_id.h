/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long a region id (cn-hangzhou, ...) may be, for everything that
 * holds one: the on-disk header's region field, the catalog, the agent's
 * KMS clients, and the requests the agent accepts.
 */
#ifndef ECSENC_REGION_ID_H
#define ECSENC_REGION_ID_H

/* Bytes of a region id without its NUL: a buffer is REGION_ID_MAX + 1. */
#define REGION_ID_MAX	31

#endif
