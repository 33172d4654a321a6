/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KMS API itself fixes, for both of its sides here: the client
 * (kms_client.c, and through it kms-agent and ecsenc-ctl) and the
 * kms-emulator.
 */
#ifndef ECSENC_KMS_API_H
#define ECSENC_KMS_API_H

/* The Version every request names, and the only one KMS answers. */
#define KMS_API_VERSION "2016-01-20"

/* The service key ECS encrypts a disk with when its user names no CMK. */
#define KMS_SERVICE_KEY_ALIAS "alias/acs/ecs"

#endif
