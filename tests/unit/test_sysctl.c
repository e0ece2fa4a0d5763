/* net/sysctl.c against the real /proc/sys/net of a private network
 * namespace (needs root): what it reads is what the file says, what it
 * writes the file then says, and bad names never become a path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "net/sysctl.h"
#include "nstest.h"

static int setup_ns(void **state)
{
	if (ns_enter() < 0)
		return -1;
	return sh("ip link set lo up && ip link add s0 type veth peer name s0p");
}

/* The file's content as an integer, read by cat, not by us. */
static int cat_int(const char *path)
{
	char out[64];

	assert_int_equal(sh_out(out, sizeof(out), "cat %s", path), 0);
	return atoi(out);
}

static void test_global(void **state)
{
	int v = -1;

	/* A new namespace starts with forwarding off. */
	assert_int_equal(sysctl_get("net.ipv4.ip_forward", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysctl_set("net.ipv4.ip_forward", 1), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv4/ip_forward"), 1);
	assert_int_equal(sysctl_get("net.ipv4.ip_forward", &v), 0);
	assert_int_equal(v, 1);
	/* Deeper names, and the per-interface tree through dots. */
	assert_int_equal(sysctl_set("net.ipv6.conf.all.forwarding", 1), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv6/conf/all/forwarding"), 1);
	assert_int_equal(sysctl_get("net.ipv4.conf.s0.proxy_arp", &v), 0);
	assert_int_equal(v, 0);
	/* A negative value survives the round trip. */
	assert_int_equal(sysctl_set("net.ipv6.conf.s0.accept_dad", -1), 0);
	assert_int_equal(sysctl_get("net.ipv6.conf.s0.accept_dad", &v), 0);
	assert_int_equal(v, -1);
}

static void test_conf_ipv4_ipv6(void **state)
{
	int v = -1;

	assert_int_equal(sysctl_get_ipv4_conf("s0", "proxy_arp", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysctl_set_ipv4_conf("s0", "proxy_arp", 1), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv4/conf/s0/proxy_arp"), 1);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "proxy_arp", &v), 0);
	assert_int_equal(v, 1);
	/* The peer is another interface: untouched. */
	assert_int_equal(cat_int("/proc/sys/net/ipv4/conf/s0p/proxy_arp"), 0);

	assert_int_equal(sysctl_set_ipv4_conf("s0", "arp_ignore", 2), 0);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "arp_ignore", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(sysctl_set_ipv4_conf("default", "rp_filter", 2), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv4/conf/default/rp_filter"), 2);

	assert_int_equal(sysctl_set_ipv6_conf("s0", "forwarding", 1), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv6/conf/s0/forwarding"), 1);
	assert_int_equal(sysctl_get_ipv6_conf("s0", "forwarding", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sysctl_get_ipv6_conf("s0p", "forwarding", &v), 0);
	assert_int_equal(v, 0);

	/* Interface names may hold dots (VLANs): taken whole, not split. */
	assert_int_equal(sh("ip link add v.10 type veth peer name v.10p"), 0);
	assert_int_equal(sysctl_set_ipv4_conf("v.10", "proxy_arp", 1), 0);
	assert_int_equal(cat_int("/proc/sys/net/ipv4/conf/v.10/proxy_arp"), 1);

	/* Gone with its interface. */
	assert_int_equal(sh("ip link del s0"), 0);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "proxy_arp", &v), -ENOENT);
	assert_int_equal(sysctl_set_ipv4_conf("s0", "proxy_arp", 1), -ENOENT);
}

static void test_effective(void **state)
{
	int v = -1;

	/* proxy_arp: either one. */
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "proxy_arp", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysctl_set_ipv4_conf("all", "proxy_arp", 1), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "proxy_arp", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "proxy_arp", &v), 0);
	assert_int_equal(v, 0); /* its own stays 0 */

	/* rp_filter, arp_ignore: the larger. */
	assert_int_equal(sysctl_set_ipv4_conf("all", "rp_filter", 2), 0);
	assert_int_equal(sysctl_set_ipv4_conf("s0", "rp_filter", 1), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "rp_filter", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(sysctl_set_ipv4_conf("all", "arp_ignore", 1), 0);
	assert_int_equal(sysctl_set_ipv4_conf("s0", "arp_ignore", 2), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "arp_ignore", &v), 0);
	assert_int_equal(v, 2);

	/* bootp_relay: both. */
	assert_int_equal(sysctl_set_ipv4_conf("s0", "bootp_relay", 1), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "bootp_relay", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysctl_set_ipv4_conf("all", "bootp_relay", 1), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "bootp_relay", &v), 0);
	assert_int_equal(v, 1);

	/* forwarding: the interface's own. Writing "all" sets every
	 * interface's, so set the interface back afterwards. */
	assert_int_equal(sysctl_set_ipv4_conf("all", "forwarding", 1), 0);
	assert_int_equal(sysctl_set_ipv4_conf("s0", "forwarding", 0), 0);
	assert_int_equal(sysctl_ipv4_conf_effective("s0", "forwarding", &v), 0);
	assert_int_equal(v, 0);

	assert_int_equal(sysctl_ipv4_conf_effective("s0", "tag", &v), -EOPNOTSUPP);
	assert_int_equal(sysctl_ipv4_conf_effective("nosuch0", "proxy_arp", &v), -ENOENT);
}

static void test_bad_names(void **state)
{
	int v = 1234;

	/* Never a path outside /proc/sys/net. */
	assert_int_equal(sysctl_get("kernel.hostname", &v), -EINVAL);
	assert_int_equal(sysctl_get("net", &v), -EINVAL);
	assert_int_equal(sysctl_get("net..ipv4", &v), -EINVAL);
	assert_int_equal(sysctl_get("net.ipv4.", &v), -EINVAL);
	assert_int_equal(sysctl_get("net.ipv4/../../kernel/hostname", &v), -EINVAL);
	assert_int_equal(sysctl_get("net.IPV4.ip_forward", &v), -EINVAL);
	assert_int_equal(sysctl_get(NULL, &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("..", "proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf(".", "proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("a/b", "proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("", "proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("sixteen-chars-xx", "proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "../proxy_arp", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("s0", "", &v), -EINVAL);
	assert_int_equal(sysctl_get_ipv4_conf("s0", NULL, &v), -EINVAL);
	assert_int_equal(sysctl_set_ipv6_conf("s0", "forwarding/x", 1), -EINVAL);
	/* Well-formed, but the kernel has none. */
	assert_int_equal(sysctl_get("net.ipv4.no_such_parameter", &v), -ENOENT);
	assert_int_equal(sysctl_get_ipv4_conf("nosuch0", "proxy_arp", &v), -ENOENT);
	/* Not one integer: three of them. */
	assert_int_equal(sysctl_get("net.ipv4.tcp_rmem", &v), -ERANGE);
	/* A directory is not a value. */
	assert_int_equal(sysctl_get("net.ipv4.conf", &v), -EISDIR);
	assert_int_equal(v, 1234); /* untouched by every failure */
	/* The kernel refuses a value out of its range. */
	assert_int_equal(sysctl_set("net.ipv4.ip_default_ttl", 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_global, setup_ns),
		cmocka_unit_test_setup(test_conf_ipv4_ipv6, setup_ns),
		cmocka_unit_test_setup(test_effective, setup_ns),
		cmocka_unit_test_setup(test_bad_names, setup_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
