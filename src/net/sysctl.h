/* Kernel network parameters under /proc/sys/net, for the doctor and the
 * IPv4 engines (proxy_arp, rp_filter, arp_ignore, ip_forward ...). What is
 * read and written is the network namespace of the calling thread.
 *
 * Every call returns 0 or -errno:
 *   -EINVAL   a name, interface or key that cannot be a net sysctl
 *             (empty, too long, ".." or '/', outside "net.")
 *   -ENOENT   the kernel has no such entry (no interface of that name,
 *             IPv6 disabled on it, a parameter this kernel lacks)
 *   -ERANGE   the entry does not hold a single integer (tcp_rmem's three)
 *   -EACCES / -EPERM  writing without CAP_NET_ADMIN in the namespace
 *   and what the kernel's write returns (-EINVAL for a value it refuses).
 * No allocation; paths and values live in bounded stack buffers. */
#ifndef ISLANDD_NET_SYSCTL_H
#define ISLANDD_NET_SYSCTL_H

/* A global parameter named as sysctl(8) names it: "net.ipv4.ip_forward",
 * "net.ipv6.conf.all.forwarding". Only the "net." tree. Dots separate
 * components, so an interface with a dot in its name (eth0.100) needs the
 * _conf calls below. */
int sysctl_get(const char *name, int *val);
int sysctl_set(const char *name, int val);

/* net/ipv4/conf/IFNAME/KEY and net/ipv6/conf/IFNAME/KEY; IFNAME may also
 * be "all" or "default". KEY is the file's name: "proxy_arp". */
int sysctl_get_ipv4_conf(const char *ifname, const char *key, int *val);
int sysctl_set_ipv4_conf(const char *ifname, const char *key, int val);
int sysctl_get_ipv6_conf(const char *ifname, const char *key, int *val);
int sysctl_set_ipv6_conf(const char *ifname, const char *key, int val);

/* The value the kernel acts on for IFNAME, which for most IPv4 keys
 * combines "all" and the interface's own (include/linux/inetdevice.h):
 * the larger of the two for rp_filter, arp_ignore, arp_announce and
 * arp_notify; either set for proxy_arp, arp_filter, log_martians,
 * accept_local, route_localnet; both set for bootp_relay; the
 * interface's own for forwarding and proxy_arp_pvlan. -EOPNOTSUPP for a
 * key not in that list. */
int sysctl_ipv4_conf_effective(const char *ifname, const char *key, int *val);

#endif
