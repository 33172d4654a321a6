// SPDX-License-Identifier: GPL-2.0
#include "json_wipe.h"
#include "secmem.h"

void json_wipe(struct json_object *obj)
{
	size_t i, n;

	switch (json_object_get_type(obj)) {
	case json_type_string:
		secmem_wipe((char *)json_object_get_string(obj),
			    (size_t)json_object_get_string_len(obj));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			(void)key;
			if (val)
				json_wipe(val);
		}
		break;
	}
	case json_type_array:
		n = json_object_array_length(obj);
		for (i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(obj, i);

			if (v)
				json_wipe(v);
		}
		break;
	default:
		break;
	}
}

void json_wipe_put(struct json_object *obj)
{
	if (!obj)
		return;
	json_wipe(obj);
	json_object_put(obj);
}
