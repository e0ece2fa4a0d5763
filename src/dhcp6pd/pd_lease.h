/* A delegated-prefix lease as the DHCPv6-PD engine reports it.
 *
 * The PD engine (src/dhcp6pd/) owns the lease; whoever consumes it
 * (sub-delegation, RA, hooks) registers a lease_changed callback and
 * receives the new lease and the one before on every change. Sizes are
 * fixed: no allocation per lease. */
#ifndef ISLANDD_DHCP6PD_PD_LEASE_H
#define ISLANDD_DHCP6PD_PD_LEASE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PD_LEASE_MAX_PREFIXES 4
#define PD_LEASE_MAX_DNS 4
#define PD_LEASE_MAX_DOMAINS 4
#define PD_LEASE_DOMAIN_LEN 256

struct pd_prefix {
	struct in6_addr prefix;
	uint8_t plen;
	uint32_t preferred_s, valid_s; /* as the server gave them; 0xffffffff = infinite */
	uint64_t acquired_ms;          /* monotonic ms when these lifetimes started */
};

struct pd_lease {
	int upstream_ifindex;
	enum pd_lease_state { PD_NONE, PD_BOUND, PD_RENEWING, PD_REBINDING, PD_EXPIRED } state;
	size_t n_prefixes;
	struct pd_prefix prefixes[PD_LEASE_MAX_PREFIXES];
	size_t n_dns;
	struct in6_addr dns[PD_LEASE_MAX_DNS];
	size_t n_domains;
	char domains[PD_LEASE_MAX_DOMAINS][PD_LEASE_DOMAIN_LEN];
	struct in6_addr server; /* the server's address, for islandctl */
};

/* event: "bound" | "renewed" | "changed" | "expired" | "stopped" (the
 * hook's reason). before is the lease as it was before this event. */
typedef void (*pd_lease_changed_fn)(void *ctx, const struct pd_lease *now,
                                    const struct pd_lease *before, const char *event);

#endif
