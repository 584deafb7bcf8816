/*
 * privsep.c: dropping privileges in the children. The order matters:
 * chroot needs root, setgroups/setgid need root, setuid comes last, and
 * then a setuid(0) that succeeds means the drop failed.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "wharfd.h"
#include "writeback.h"

static uid_t	 privsep_uid = (uid_t)-1;
static gid_t	 privsep_gid = (gid_t)-1;

void
privsep_init(void)
{
	struct passwd	*pw;
	struct group	*gr;

	if (conf.c_user != NULL) {
		if ((pw = getpwnam(conf.c_user)) == NULL)
			errx(EXIT_USAGE, "--user %s: no such user", conf.c_user);
		privsep_uid = pw->pw_uid;
		privsep_gid = pw->pw_gid;
	}
	if (conf.c_group != NULL) {
		if ((gr = getgrnam(conf.c_group)) == NULL)
			errx(EXIT_USAGE, "--group %s: no such group",
			    conf.c_group);
		privsep_gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (conf.c_user != NULL || conf.c_group != NULL ||
		    conf.c_chroot)
			errx(EXIT_USAGE, "--user, --group and --chroot need "
			    "wharfd to start as root");
		return;
	}
	if (conf.c_user == NULL)
		log_warnx("running as root without --user: children keep "
		    "root's privileges; use --user NAME (see wharfd(8))");
	else if (privsep_uid == 0)
		log_warnx("--user %s is root: children keep root's "
		    "privileges", conf.c_user);
}

int
privsep_child(void)
{
	struct rlimit	 rl;

	/* No core files: they would hold other people's file data. */
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (conf.c_chroot) {
		if (chroot(conf.c_root) == -1 || chdir("/") == -1) {
			log_warn("--chroot %s", conf.c_root);
			return (-1);
		}
	}
	if (privsep_gid != (gid_t)-1) {
		if (setgroups(1, &privsep_gid) == -1 ||
		    setresgid(privsep_gid, privsep_gid, privsep_gid) == -1) {
			log_warn("cannot change to group %ld",
			    (long)privsep_gid);
			return (-1);
		}
	}
	if (privsep_uid != (uid_t)-1 && privsep_uid != 0) {
		if (setresuid(privsep_uid, privsep_uid, privsep_uid) == -1) {
			log_warn("cannot change to user %ld",
			    (long)privsep_uid);
			return (-1);
		}
		if (setuid(0) != -1) {
			log_warnx("could regain root after dropping it");
			return (-1);
		}
		/*
		 * A child never forks: refuse it to whatever took it over.
		 * The limit counts threads as well, so a writable store's
		 * durable uploads get their flush thread first.
		 */
		if (conf.c_writable && !conf.c_no_fsync)
			writeback_prepare();
		rl.rlim_cur = rl.rlim_max = 0;
		(void)setrlimit(RLIMIT_NPROC, &rl);
	}
	return (0);
}
