/* The `script PATH` hook of a dhcp6-pd block: run on bound, renewed,
 * changed, expired and stopped, with the lease in its environment:
 *
 *   REASON            bound | renewed | changed | expired | stopped
 *   INTERFACE         the upstream link
 *   PREFIX            the first delegated prefix, 2001:db8:1200::/56 ("" when none)
 *   PREFIXES          every delegated prefix, space-separated
 *   PREFIX_PREFERRED  its preferred lifetime left, seconds (4294967295 = infinite)
 *   PREFIX_VALID      its valid lifetime left, seconds
 *   OLD_PREFIX        the prefix this event replaced or withdrew ("" when none)
 *   SUBNETS           eth0=2001:db8:1200:1::/64 br-x=2001:db8:1200:2a::/64
 *   DNS               the server's DNS servers, space-separated
 *   DOMAINS           its search domains, space-separated
 *   PATH              /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 *
 * The script is started with posix_spawn (argv: PATH REASON; stdin, stdout
 * and stderr /dev/null, its own session) and never waited for in the loop:
 * its exit is seen through a pidfd in the loop, then reaped. At most one
 * runs per upstream; events that come meanwhile are coalesced into one run
 * after it (the latest lease, the first OLD_PREFIX not yet told); a script
 * still running after HOOK_TIMEOUT_MS is killed (SIGTERM, SIGKILL 2 s
 * later). */
#ifndef ISLANDD_DHCP6PD_HOOKS_H
#define ISLANDD_DHCP6PD_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dhcp6pd/subdelegate.h"
#include "util/loop.h"

#define HOOK_TIMEOUT_MS   30000u
#define HOOK_KILL_GRACE_MS 2000u
#define HOOK_ENV_MAX      16           /* variables, NULL included */
#define HOOK_ENV_BYTES    4096

/* An environment, self-contained: envp points into buf. */
struct hook_env {
	char buf[HOOK_ENV_BYTES];
	char *envp[HOOK_ENV_MAX];
	char reason[16];
	bool has_old;
	struct in6_addr old_prefix;
	uint8_t old_plen;
};

/* Fill env from ev (pure). Returns 0, or -ENOSPC when something did not fit
 * (that variable is cut at a word, the others are there). */
int hook_env_build(struct hook_env *env, const struct subd_hook_event *ev);
/* The value of name in env, or NULL (for tests and logs). */
const char *hook_env_get(const struct hook_env *env, const char *name);

struct hooks_counters {
	uint64_t runs, coalesced, spawn_errors, timeouts, failed; /* failed: exit status != 0 */
	int last_status;                                          /* wait status of the last run */
};

struct hooks;

/* NULL when script is empty (no hook) or out of memory. timeout_ms 0 =
 * HOOK_TIMEOUT_MS. */
struct hooks *hooks_new(struct loop *loop, const char *script, uint32_t timeout_ms);
/* Run the script for ev now, or after the running one. */
void hooks_run(struct hooks *h, const struct subd_hook_event *ev);
/* A script still running? (tests) */
bool hooks_busy(const struct hooks *h);
const struct hooks_counters *hooks_counters(const struct hooks *h);
/* Stop: a pending run is dropped; a running script is left to finish (a
 * "stopped" hook must be able to act) and is reaped by init. */
void hooks_free(struct hooks *h);

#endif
