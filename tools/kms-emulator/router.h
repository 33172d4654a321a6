/* SPDX-License-Identifier: GPL-2.0 */
/* The action table and the dispatch of one authenticated request. */
#ifndef KMS_EMU_ROUTER_H
#define KMS_EMU_ROUTER_H

#include "emulator.h"

/*
 * Handle @req; returns the HTTP status and sets *answer (JSON with
 * RequestId, and Code/Message/... on errors).  The caller wipes and frees
 * the answer (json_wipe_put): it may hold plaintext.
 */
int router_handle(struct emulator *emu, struct kms_request *req,
		  struct json_object **answer);

/* An error answer for a request that never reached the router. */
int router_error(struct emulator *emu, enum kms_err e,
		 struct json_object **answer);

#endif
