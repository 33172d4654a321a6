/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Overwrite every string value held in a json-c tree (KMS answers carry
 * plaintext keys) before the tree is freed.
 */
#ifndef ECSENC_JSON_WIPE_H
#define ECSENC_JSON_WIPE_H

#include <json-c/json.h>

void json_wipe(struct json_object *obj);

/* json_wipe() then json_object_put(). */
void json_wipe_put(struct json_object *obj);

#endif
