/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reason.c - the short text of each of the policy's reasons, for the
 * plan's output and the logs. */
#include "policy.h"

static const char *const reason_text[PR_COUNT] = {
	[PR_STEADY] = "steady",
	[PR_ADD] = "add: below demand + buffer",
	[PR_SURPLUS] = "surplus kept until the reclaim delay",
	[PR_RECLAIM] = "reclaim: surplus past the reclaim delay",
	[PR_RECLAIM_NEEDED] = "reclaim: surplus needed by another VM",
	[PR_SHORT_BUFFER] = "pool short: buffer cut",
	[PR_SHORT_DEMAND] = "pool short: demand shared by weight",
	[PR_MINIMUM] = "raised to minimum",
	[PR_MAXIMUM] = "held at maximum",
	[PR_SMALL] = "change below the minimum step",
	[PR_NO_STATS] = "left alone: no guest stats",
	[PR_STALE] = "left alone: guest stats stale",
	[PR_GRACE] = "left alone: just started",
	[PR_SETTLING] = "left alone: settling after a change",
	[PR_LOAN] = "idle pool lent as headroom",
};

const char *
policy_reason_text(enum policy_reason r)
{
	return r < PR_COUNT ? reason_text[r] : "?";
}
