/*
 * sweep.h: the store's sweep, which removes what interrupted uploads
 * left behind once it has been untouched for --partial-age.
 */
#ifndef WHARFD_SWEEP_H
#define WHARFD_SWEEP_H

#include <time.h>

/*
 * Walks the whole store (beneath the root, no symlink followed, at most
 * SWEEP_DEPTH directories deep) and unlinks every regular file named
 * .wharf-part.* or .wharf-tmp.* last changed (st_ctime) before cutoff.
 * Returns how
 * many it removed; *bytes gets their total size.
 */
unsigned	 sweep_store(time_t cutoff, unsigned long long *bytes);

#endif
