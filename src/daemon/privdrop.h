/* Giving up root without systemd: after the sockets are open, islandd keeps
 * only what it uses from then on: CAP_NET_RAW (packet sockets for interfaces
 * that appear later) and CAP_NET_ADMIN (routes, allmulti/promiscuous). */
#ifndef ISLANDD_PRIVDROP_H
#define ISLANDD_PRIVDROP_H

#define PRIVDROP_DEFAULT_USER "islandd"

/* privdrop() returned this: the user does not exist (or is root), so the
 * process stays uid 0, but with only the two capabilities. */
#define PRIVDROP_STAYED_ROOT 1

/* Started as root: switch to user (NULL or "" = PRIVDROP_DEFAULT_USER) and
 * its primary group, no supplementary groups, keeping exactly CAP_NET_RAW
 * and CAP_NET_ADMIN permitted and effective; inheritable, ambient and the
 * bounding set emptied of everything else; no_new_privs set.
 * Not root, or root already without other capabilities (systemd's User= with
 * AmbientCapabilities=, or a restricted bounding set): sheds any capability
 * beyond those two (not root: but keeps CAP_NET_BIND_SERVICE, which the unit
 * grants for the DHCP ports), clears the ambient set, sets no_new_privs,
 * stays who it is;
 * when nothing is to be shed it makes no capset() call (the unit's system
 * call filter forbids it) and leaves the inheritable set as systemd set it.
 * Returns 0, PRIVDROP_STAYED_ROOT (after logging a warning), or -errno: then
 * the process may be half-dropped and must exit.
 * Capabilities belong to threads: call it before any thread exists. */
int privdrop(const char *user);

/* An explicit -u USER must exist: 0, -ENOENT when /etc/passwd has no such
 * user, or -errno when it cannot be read. Changes nothing. */
int privdrop_user_exists(const char *user);

#endif
