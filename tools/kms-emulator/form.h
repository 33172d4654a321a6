/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parameters of a request: added one by one (from the URL, by
 * http.c) or parsed from an application/x-www-form-urlencoded body, and
 * freed with their values wiped.  Nothing here knows about HTTP.
 */
#ifndef KMS_EMU_FORM_H
#define KMS_EMU_FORM_H

#include <stddef.h>

struct kms_request;

/*
 * Takes ownership of @name and @value (malloc()ed).  -EINVAL when either
 * is NULL (a failed decode) or the request is full; both are freed then.
 */
int req_add_param(struct kms_request *req, char *name, char *value,
		  int in_query);

/*
 * a=b&c=d, '+' is a space, %XX escapes (%00 refused).  Every well-formed
 * pair is added; -EINVAL if any was malformed or did not fit.
 */
int req_parse_form(struct kms_request *req, const char *body, size_t len);

/* Frees every parameter, wiping the values. */
void req_free_params(struct kms_request *req);

#endif
