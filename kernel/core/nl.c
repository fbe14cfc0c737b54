// SPDX-License-Identifier: GPL-2.0
/*
 * The core's generic netlink family (<uapi/strix_nl.h>): events only, to
 * the "events" multicast group, for cluster agents (`strixctl events`).
 * Nothing is sent when no one listens; a message that cannot be built is
 * dropped with a rate-limited warning (the state change it reports has
 * happened regardless, and sysfs shows it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>

#include <uapi/strix_nl.h>

#include "core.h"

static const struct genl_multicast_group strix_nl_mcgrps[] = {
	{ .name = STRIX_NL_MCGRP },
};

static struct genl_family strix_nl_family = {
	.name		= STRIX_NL_GENL_NAME,
	.version	= STRIX_NL_GENL_VERSION,
	.maxattr	= STRIX_NL_A_MAX,
	.module		= THIS_MODULE,
	.mcgrps		= strix_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(strix_nl_mcgrps),
};

static int strix_nl_put_str(struct sk_buff *skb, int type, const char *s)
{
	return s ? nla_put_string(skb, type, s) : 0;
}

void strix_nl_alua_event(const struct strix_nl_alua_event *e)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&strix_nl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &strix_nl_family, 0,
			  STRIX_NL_EVT_ALUA_STATE);
	if (!hdr)
		goto free;
	if (nla_put_string(skb, STRIX_NL_A_DEVICE_GROUP, e->dg) ||
	    nla_put_string(skb, STRIX_NL_A_TARGET_GROUP, e->tg) ||
	    nla_put_u16(skb, STRIX_NL_A_GROUP_ID, e->group_id) ||
	    nla_put_u8(skb, STRIX_NL_A_OLD_STATE, e->old_state) ||
	    nla_put_u8(skb, STRIX_NL_A_NEW_STATE, e->new_state) ||
	    nla_put_u8(skb, STRIX_NL_A_CAUSE, e->stpg ? STRIX_NL_CAUSE_STPG :
							 STRIX_NL_CAUSE_SYSFS) ||
	    nla_put_u8(skb, STRIX_NL_A_FAILED, e->failed))
		goto free;
	if (e->stpg &&
	    (strix_nl_put_str(skb, STRIX_NL_A_INITIATOR, e->initiator) ||
	     strix_nl_put_str(skb, STRIX_NL_A_TARGET, e->target) ||
	     nla_put_u16(skb, STRIX_NL_A_REL_TGT_ID, e->rel_tgt_id) ||
	     strix_nl_put_str(skb, STRIX_NL_A_DEVICE, e->device)))
		goto free;
	genlmsg_end(skb, hdr);
	/* -ESRCH: the last listener left meanwhile */
	genlmsg_multicast(&strix_nl_family, skb, 0, 0, GFP_KERNEL);
	return;
free:
	nlmsg_free(skb);
drop:
	pr_warn_ratelimited("an ALUA event to user space was dropped\n");
}

int strix_nl_init(void)
{
	return genl_register_family(&strix_nl_family);
}

void strix_nl_exit(void)
{
	genl_unregister_family(&strix_nl_family);
}
