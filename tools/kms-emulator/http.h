/* SPDX-License-Identifier: GPL-2.0 */
/* libmicrohttpd glue: a thread-pool daemon that hands requests to router.c. */
#ifndef KMS_EMU_HTTP_H
#define KMS_EMU_HTTP_H

struct emulator;
struct MHD_Daemon;

int http_start(struct emulator *emu, struct MHD_Daemon **out);
void http_stop(struct emulator *emu, struct MHD_Daemon *d);

#endif
