/* The dhcp6-pd `script` hook: see hooks.h. */
#include "dhcp6pd/hooks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"

/* --- the environment ----------------------------------------------------- */

struct env_writer {
	struct hook_env *env;
	size_t used, n;
	int rc;
};

/* Start variable name=; the value follows with env_add. */
static char *env_begin(struct env_writer *w, const char *name)
{
	if (w->n + 1 >= HOOK_ENV_MAX || w->used + strlen(name) + 2 > sizeof(w->env->buf)) {
		w->rc = -ENOSPC;
		return NULL;
	}
	char *start = w->env->buf + w->used;
	w->used += (size_t)sprintf(start, "%s=", name);
	w->env->envp[w->n++] = start;
	w->env->envp[w->n] = NULL;
	return start;
}

/* Append one word (space-separated after the first) to the variable begun
 * last; a word that does not fit is left out whole. */
static void env_word(struct env_writer *w, const char *word, bool first)
{
	size_t len = strlen(word) + (first ? 0 : 1);
	if (w->used + len + 1 > sizeof(w->env->buf)) {
		w->rc = -ENOSPC;
		return;
	}
	w->used += (size_t)sprintf(w->env->buf + w->used, "%s%s", first ? "" : " ", word);
}

static void env_end(struct env_writer *w)
{
	w->env->buf[w->used++] = 0;
}

static void env_var(struct env_writer *w, const char *name, const char *value)
{
	if (!env_begin(w, name))
		return;
	env_word(w, value, true);
	env_end(w);
}

static void prefix_str(char *out, size_t cap, const struct in6_addr *a, unsigned plen)
{
	char s[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, a, s, sizeof(s));
	snprintf(out, cap, "%s/%u", s, plen);
}

static uint32_t left_s(uint64_t acquired_ms, uint32_t lifetime_s, uint64_t now)
{
	if (lifetime_s == 0xffffffffu)
		return lifetime_s;
	uint64_t end = acquired_ms + (uint64_t)lifetime_s * 1000u;
	return end > now ? (uint32_t)((end - now) / 1000u) : 0;
}

int hook_env_build(struct hook_env *env, const struct subd_hook_event *ev)
{
	memset(env->envp, 0, sizeof(env->envp));
	struct env_writer w = { env, 0, 0, 0 };
	snprintf(env->reason, sizeof(env->reason), "%s", ev->reason);
	env->has_old = ev->has_old;
	env->old_prefix = ev->old_prefix;
	env->old_plen = ev->old_plen;
	const struct pd_lease *l = ev->lease;
	bool any = l && l->n_prefixes > 0 &&
	           (l->state == PD_BOUND || l->state == PD_RENEWING || l->state == PD_REBINDING);
	char s[INET6_ADDRSTRLEN + IF_NAMESIZE + 8];
	char num[16];

	env_var(&w, "REASON", ev->reason);
	env_var(&w, "INTERFACE", ev->upstream ? ev->upstream : "");
	/* PREFIX and PREFIXES: what is delegated and still preferred (a prefix
	 * the lease keeps only until it ends, preferred 0, is an OLD_PREFIX) */
	size_t first = 0;
	while (any && first + 1 < l->n_prefixes && first + 1 < PD_LEASE_MAX_PREFIXES &&
	       left_s(l->prefixes[first].acquired_ms, l->prefixes[first].preferred_s, ev->now_ms) == 0)
		first++;
	if (any)
		prefix_str(s, sizeof(s), &l->prefixes[first].prefix, l->prefixes[first].plen);
	env_var(&w, "PREFIX", any ? s : "");
	if (env_begin(&w, "PREFIXES")) {
		bool first_word = true;
		for (size_t i = 0; any && i < l->n_prefixes && i < PD_LEASE_MAX_PREFIXES; i++) {
			if (i != first && left_s(l->prefixes[i].acquired_ms, l->prefixes[i].preferred_s, ev->now_ms) == 0)
				continue;
			prefix_str(s, sizeof(s), &l->prefixes[i].prefix, l->prefixes[i].plen);
			env_word(&w, s, first_word);
			first_word = false;
		}
		env_end(&w);
	}
	if (any) {
		const struct pd_prefix *p = &l->prefixes[first];
		uint32_t valid = left_s(p->acquired_ms, p->valid_s, ev->now_ms);
		uint32_t pref = left_s(p->acquired_ms, p->preferred_s, ev->now_ms);
		snprintf(num, sizeof(num), "%u", pref < valid ? pref : valid);
		env_var(&w, "PREFIX_PREFERRED", num);
		snprintf(num, sizeof(num), "%u", valid);
		env_var(&w, "PREFIX_VALID", num);
	} else {
		env_var(&w, "PREFIX_PREFERRED", "0");
		env_var(&w, "PREFIX_VALID", "0");
	}
	if (ev->has_old)
		prefix_str(s, sizeof(s), &ev->old_prefix, ev->old_plen);
	env_var(&w, "OLD_PREFIX", ev->has_old ? s : "");
	if (env_begin(&w, "SUBNETS")) {
		for (size_t i = 0; i < ev->n_subnets; i++) {
			char p64[INET6_ADDRSTRLEN + 4];
			prefix_str(p64, sizeof(p64), &ev->subnets[i].prefix, 64);
			snprintf(s, sizeof(s), "%s=%s", ev->subnets[i].ifname, p64);
			env_word(&w, s, i == 0);
		}
		env_end(&w);
	}
	if (env_begin(&w, "DNS")) {
		for (size_t i = 0; any && i < l->n_dns && i < PD_LEASE_MAX_DNS; i++) {
			inet_ntop(AF_INET6, &l->dns[i], s, sizeof(s));
			env_word(&w, s, i == 0);
		}
		env_end(&w);
	}
	if (env_begin(&w, "DOMAINS")) {
		for (size_t i = 0; any && i < l->n_domains && i < PD_LEASE_MAX_DOMAINS; i++) {
			char d[PD_LEASE_DOMAIN_LEN];
			snprintf(d, sizeof(d), "%s", l->domains[i]);
			/* a name is one word for the script's `for`: no blanks, no controls */
			for (char *c = d; *c; c++)
				if ((unsigned char)*c <= ' ' || *c == 0x7f)
					*c = '_';
			env_word(&w, d, i == 0);
		}
		env_end(&w);
	}
	env_var(&w, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	return w.rc;
}

const char *hook_env_get(const struct hook_env *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < HOOK_ENV_MAX && env->envp[i]; i++)
		if (strncmp(env->envp[i], name, n) == 0 && env->envp[i][n] == '=')
			return env->envp[i] + n + 1;
	return NULL;
}

/* --- running the script -------------------------------------------------- */

struct hooks {
	struct loop *loop;
	char *script;
	uint32_t timeout_ms;
	pid_t pid;               /* 0: none running */
	int pidfd;
	bool killed;
	struct loop_timer timeout;
	bool pending;
	struct hook_env next;    /* what runs after the current one */
	struct hooks_counters cnt;
};

static void start(struct hooks *h);

static void on_exit_fd(void *ctx, int fd, uint32_t events)
{
	struct hooks *h = ctx;
	int status = 0;
	pid_t r = waitpid(h->pid, &status, WNOHANG);
	if (r == 0)
		return; /* not yet (spurious wake-up) */
	loop_del_fd(h->loop, h->pidfd);
	close(h->pidfd);
	h->pidfd = -1;
	loop_timer_cancel(h->loop, &h->timeout);
	if (r == h->pid) {
		h->cnt.last_status = status;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			h->cnt.failed++;
			log_warn("dhcp6-pd hook %s: %s %d", h->script,
			         WIFEXITED(status) ? "exited with" : "killed by signal",
			         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		}
	}
	h->pid = 0;
	if (h->pending) {
		h->pending = false;
		start(h);
	}
}

static void on_timeout(void *ctx)
{
	struct hooks *h = ctx;
	if (!h->pid)
		return;
	if (!h->killed) {
		log_warn("dhcp6-pd hook %s: still running after %u ms: killed", h->script, h->timeout_ms);
		h->cnt.timeouts++;
		h->killed = true;
		kill(-h->pid, SIGTERM); /* its session: what it started too */
		kill(h->pid, SIGTERM);
		loop_timer_in(h->loop, &h->timeout, HOOK_KILL_GRACE_MS, on_timeout, h);
	} else {
		kill(-h->pid, SIGKILL);
		kill(h->pid, SIGKILL);
	}
}

/* Run h->next. */
static void start(struct hooks *h)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);   /* the daemon blocks signals for its signalfd */
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = { h->script, h->next.reason, NULL };
	pid_t pid;
	int rc = posix_spawn(&pid, h->script, &fa, &attr, argv, h->next.envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		h->cnt.spawn_errors++;
		log_err("dhcp6-pd hook %s: %s", h->script, strerror(rc));
		return;
	}
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || loop_add_fd(h->loop, fd, EPOLLIN, on_exit_fd, h) < 0) {
		/* cannot watch it: wait for it here rather than leave a zombie */
		log_warn("dhcp6-pd hook %s: pidfd: %s; waiting for it", h->script, strerror(errno));
		if (fd >= 0)
			close(fd);
		int status;
		waitpid(pid, &status, 0);
		h->cnt.runs++;
		return;
	}
	h->cnt.runs++;
	h->pid = pid;
	h->pidfd = fd;
	h->killed = false;
	loop_timer_in(h->loop, &h->timeout, h->timeout_ms, on_timeout, h);
}

struct hooks *hooks_new(struct loop *loop, const char *script, uint32_t timeout_ms)
{
	if (!script || !script[0])
		return NULL;
	struct hooks *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->script = strdup(script);
	if (!h->script) {
		free(h);
		return NULL;
	}
	h->loop = loop;
	h->pidfd = -1;
	h->timeout_ms = timeout_ms ? timeout_ms : HOOK_TIMEOUT_MS;
	return h;
}

/* envp points into the copy's own buffer. */
static void env_copy(struct hook_env *to, const struct hook_env *from)
{
	*to = *from;
	for (size_t i = 0; i < HOOK_ENV_MAX && from->envp[i]; i++)
		to->envp[i] = to->buf + (from->envp[i] - from->buf);
}

void hooks_run(struct hooks *h, const struct subd_hook_event *ev)
{
	if (!h)
		return;
	struct hook_env env;
	if (hook_env_build(&env, ev) < 0)
		log_warn("dhcp6-pd hook %s: environment cut short (over %d bytes)", h->script, HOOK_ENV_BYTES);
	if (h->pid) {
		/* Coalesce: the latest lease, but an OLD_PREFIX not yet told stays. */
		if (h->pending) {
			h->cnt.coalesced++;
			if (h->next.has_old && !ev->has_old) {
				struct subd_hook_event keep = *ev;
				keep.has_old = true;
				keep.old_prefix = h->next.old_prefix;
				keep.old_plen = h->next.old_plen;
				hook_env_build(&env, &keep);
			}
		}
		env_copy(&h->next, &env);
		h->pending = true;
		return;
	}
	env_copy(&h->next, &env);
	start(h);
}

bool hooks_busy(const struct hooks *h)
{
	return h && h->pid != 0;
}

const struct hooks_counters *hooks_counters(const struct hooks *h)
{
	return &h->cnt;
}

void hooks_free(struct hooks *h)
{
	if (!h)
		return;
	loop_timer_cancel(h->loop, &h->timeout);
	if (h->pidfd >= 0) {
		loop_del_fd(h->loop, h->pidfd);
		close(h->pidfd);
		waitpid(h->pid, NULL, WNOHANG); /* reaped now if it is done */
	}
	free(h->script);
	free(h);
}
