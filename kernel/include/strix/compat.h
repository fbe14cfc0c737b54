/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels Strix builds against (Debian's 6.1 and
 * 6.12), in one place.
 */
#ifndef _STRIX_COMPAT_H
#define _STRIX_COMPAT_H

#include <linux/version.h>

/* get_unaligned_be32() and friends moved to <linux/unaligned.h> in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif


/*
 * Sending pages without copying them: TCP keeps a reference on each page
 * until the data is acknowledged.  6.5 replaced kernel_sendpage() by
 * sendmsg() with MSG_SPLICE_PAGES.  Returns 0 once all of @len is queued,
 * or a negative errno.
 */
#include <linux/bvec.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>

#ifdef MSG_SPLICE_PAGES
static inline int strix_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	int ret;

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	while (iov_iter_count(&msg.msg_iter)) {
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
	}
	return 0;
}
#else
static inline int strix_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int nr,
					size_t len, int flags)
{
	unsigned int i, off;
	int ret;

	for (i = 0; i < nr; i++) {
		int f = flags | (i + 1 < nr ? MSG_MORE : 0);

		for (off = 0; off < bv[i].bv_len; off += ret) {
			ret = kernel_sendpage(sock, bv[i].bv_page,
					      bv[i].bv_offset + off,
					      bv[i].bv_len - off, f);
			if (ret <= 0)
				return ret ? ret : -EPIPE;
		}
	}
	return 0;
}
#endif

#endif
