/* SPDX-License-Identifier: GPL-2.0 */
/* Every action handler; router.c holds the one table that names them. */
#ifndef KMS_EMU_ACTIONS_H
#define KMS_EMU_ACTIONS_H

#include "emulator.h"

#define ACTION(fn) enum kms_err fn(struct kms_ctx *ctx, struct json_object *out)

/* key_actions.c */
ACTION(act_create_key);
ACTION(act_describe_key);
ACTION(act_list_keys);
ACTION(act_update_key_description);
ACTION(act_enable_key);
ACTION(act_disable_key);
ACTION(act_schedule_key_deletion);
ACTION(act_cancel_key_deletion);

/* version_actions.c */
ACTION(act_create_key_version);
ACTION(act_list_key_versions);
ACTION(act_describe_key_version);
ACTION(act_update_rotation_policy);

/* crypto_actions.c */
ACTION(act_generate_data_key);
ACTION(act_generate_data_key_without_plaintext);
ACTION(act_encrypt);
ACTION(act_decrypt);
ACTION(act_re_encrypt);

/* import.c */
ACTION(act_get_parameters_for_import);
/* Outside the database lock: the slow RSA key generation. */
ACTION(prep_get_parameters_for_import);
ACTION(act_import_key_material);
ACTION(act_delete_key_material);

/* aliases.c */
ACTION(act_create_alias);
ACTION(act_update_alias);
ACTION(act_delete_alias);
ACTION(act_list_aliases);
ACTION(act_list_aliases_by_key_id);

/* admin.c */
ACTION(act_describe_regions);
ACTION(act_advance_clock);
ACTION(act_describe_metering);

#undef ACTION

#endif
