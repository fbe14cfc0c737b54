/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place the Strix version is written.  dkms.conf and usr/CMakeLists.txt
 * read it from here; a host test checks dkms.conf agrees.
 */
#ifndef _STRIX_VERSION_H
#define _STRIX_VERSION_H

#define STRIX_VERSION "0.1.0"

#endif
