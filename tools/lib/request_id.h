/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request ids: one per request, as ECS gives one per API call, logged by
 * every program that works on the request so that it can be followed end
 * to end.  Made here in ECS's form, an upper-case UUID
 * ("0A5E6D0B-3F6C-4E4B-9C1D-2B7E0F9A1C3D").
 */
#ifndef ECSENC_REQUEST_ID_H
#define ECSENC_REQUEST_ID_H

#include <stdbool.h>
#include <stddef.h>

#define REQUEST_ID_MAX	64	/* bytes a caller's id may have */
#define REQUEST_ID_LEN	36	/* bytes of one made here */

/* A new random id in @buf (REQUEST_ID_LEN + 1 bytes); 0 or -errno. */
int request_id_new(char *buf, size_t len);
/* Whether @id is one a caller may pass: [A-Za-z0-9-], 1..REQUEST_ID_MAX. */
bool request_id_valid(const char *id);

#endif
