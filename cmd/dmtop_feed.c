/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmtop_feed.c - what drives the live view: the connection and its
 * domain events, the refresh timer, the keyboard and signals, all on
 * libvirt's event loop, and reconnecting when the daemon goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <libvirt/libvirt.h>

#include "dmtop.h"
#include "util.h"
#include "virt.h"

/* A burst of events (a balancer pass moving many balloons) within this
 * gives one snapshot, not one per event. */
#define SOON_MS 100
/* A daemon that hangs rather than exits is noticed after this many
 * unanswered keepalives this many seconds apart. */
#define KEEPALIVE_SECONDS 5
#define KEEPALIVE_COUNT 3

static int sig_pipe[2] = { -1, -1 };

static void on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
    int detail, void *opaque);
static void on_balloon(virConnectPtr conn, virDomainPtr dom,
    unsigned long long actual, void *opaque);
static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
    const char *nsuri, void *opaque);
static void on_memdev(virConnectPtr conn, virDomainPtr dom,
    const char *alias, unsigned long long size, void *opaque);
static void on_close(virConnectPtr conn, int reason, void *opaque);

/* What makes the view rescan at once; a virtio-mem device that plugged
 * or unplugged is a change of assigned memory, like a balloon's. */
static const struct {
	int id;
	virConnectDomainEventGenericCallback cb;
} domain_events[] = {
	{ VIR_DOMAIN_EVENT_ID_LIFECYCLE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle) },
	{ VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_balloon) },
	{ VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_metadata) },
	{ VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_memdev) },
};
_Static_assert(DM_ARRAY_LEN(domain_events) == DMTOP_NEVENTS,
    "one callback id per event");

static int
delay_ms(double seconds)
{
	return (int)(seconds * 1000 + 0.5);
}

void
dmtop_set_delay(struct top *t, double d)
{
	t->delay = d;
	virEventUpdateTimeout(t->tick_timer, delay_ms(d));
}

void
dmtop_disconnect(struct top *t)
{
	size_t i;

	if (!t->conn)
		return;
	for (i = 0; i < DMTOP_NEVENTS; i++)
		if (t->cb[i] >= 0)
			virConnectDomainEventDeregisterAny(t->conn, t->cb[i]);
	virConnectUnregisterCloseCallback(t->conn, on_close);
	virConnectClose(t->conn);
	t->conn = NULL;
	t->lost = false;
}

/* Watch the connection: events make us rescan at once, a close tells us
 * to reconnect. Events are a help, not a need: the timer still runs. */
static void
watch_conn(struct top *t)
{
	size_t i;

	for (i = 0; i < DMTOP_NEVENTS; i++)
		t->cb[i] = virConnectDomainEventRegisterAny(t->conn, NULL,
		    domain_events[i].id, domain_events[i].cb, t, NULL);
	virConnectRegisterCloseCallback(t->conn, on_close, t, NULL);
	virConnectSetKeepAlive(t->conn, KEEPALIVE_SECONDS, KEEPALIVE_COUNT);
}

static void
lost(struct top *t)
{
	dmtop_disconnect(t);
	dmtop_msg(t, true, "connection to %s lost; reconnecting every %gs",
	    virt_uri_name(t->uri), t->delay);
}

/* One refresh: reconnect if needed, then one snapshot. */
static void
rescan(struct top *t)
{
	struct snapshot s;

	if (t->conn && (t->lost || virConnectIsAlive(t->conn) != 1))
		lost(t);
	if (!t->conn) {
		t->reported[0] = '\0';
		if (!(t->conn = virt_open(t->uri, true, true))) {
			dmtop_msg(t, true, "no connection (retrying every "
			    "%gs): %s", t->delay, t->reported);
			return;
		}
		watch_conn(t);
		dmtop_msg(t, false, "reconnected to %s", virt_uri_name(t->uri));
	}
	t->reported[0] = '\0';
	if (snapshot_take(t->conn, NULL, 0, &t->hc, &s) < 0) {
		if (virConnectIsAlive(t->conn) != 1)
			lost(t);
		else
			dmtop_msg(t, true, "%s", t->reported);
		return;
	}
	if (t->msg_error)
		t->msg[0] = '\0';
	if (t->have_snap)
		snapshot_free(&t->snap);
	t->snap = s;
	t->have_snap = true;
	dmtop_select(t);
	if (t->iterations && ++t->done >= t->iterations)
		t->quit = true;
}

static void
refresh_now(struct top *t)
{
	rescan(t);
	dmtop_draw(t);
}

static void
on_tick(int timer, void *opaque)
{
	struct top *t = opaque;

	(void)timer;
	if (!t->paused)
		refresh_now(t);
}

static void
on_soon(int timer, void *opaque)
{
	struct top *t = opaque;

	virEventUpdateTimeout(timer, -1);
	t->soon_pending = 0;
	if (!t->paused)
		refresh_now(t);
}

/* Rescan shortly: see SOON_MS. */
static void
rescan_soon(struct top *t)
{
	if (t->soon_pending)
		return;
	t->soon_pending = 1;
	virEventUpdateTimeout(t->soon_timer, SOON_MS);
}

/* Each event has its own callback type; all of them mean "rescan". */
static void
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
    void *opaque)
{
	(void)conn;
	(void)dom;
	(void)event;
	(void)detail;
	rescan_soon(opaque);
}

static void
on_balloon(virConnectPtr conn, virDomainPtr dom, unsigned long long actual,
    void *opaque)
{
	(void)conn;
	(void)dom;
	(void)actual;
	rescan_soon(opaque);
}

static void
on_memdev(virConnectPtr conn, virDomainPtr dom, const char *alias,
    unsigned long long size, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)alias;
	(void)size;
	rescan_soon(opaque);
}

static void
on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
    const char *nsuri, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)type;
	(void)nsuri;
	rescan_soon(opaque);
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct top *t = opaque;

	(void)conn;
	(void)reason;
	t->lost = true;
	rescan_soon(t);
}

/* The keys typed since the last time, then what they ask for, once. */
static void
on_key(int watch, int fd, int events, void *opaque)
{
	struct top *t = opaque;
	unsigned redo = 0;
	int ch;

	(void)watch;
	(void)fd;
	if (events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)) {
		/* The terminal went away. */
		t->quit = true;
		return;
	}
	while (!(redo & REDO_QUIT) && (ch = getch()) != ERR)
		if (ch != KEY_RESIZE)
			redo |= dmtop_key(t, ch);
	if (redo & REDO_QUIT) {
		t->quit = true;
		return;
	}
	if (redo & REDO_SCAN)
		rescan(t);
	else if ((redo & REDO_SELECT) && t->have_snap)
		dmtop_select(t);
	if (redo)
		dmtop_draw(t);
}

static void
on_signal_number(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* Full pipe: a resize is already on its way. */
	}
	errno = saved;
}

static void
on_signal(int watch, int fd, int events, void *opaque)
{
	struct top *t = opaque;
	unsigned char buf[64];
	ssize_t n, i;
	bool resize = false;

	(void)watch;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH)
				resize = true;
			else
				t->quit = true;
		}
	if (!t->quit && resize)
		dmtop_resize(t);
}

static int
setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (sig_pipe[0] < 0 && pipe(sig_pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) |
		    O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal_number;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

int
dmtop_live(struct top *t)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		dm_error("not a terminal; use -b for text output");
		return 1;
	}
	if (setup_signals() < 0) {
		dm_error("cannot make a pipe: %s", strerror(errno));
		return 1;
	}
	if (dmtop_screen_start(t) < 0)
		return 1;
	/* Our handler, not curses', so that a resize wakes the event loop;
	 * installed again because initscr may have replaced it. */
	setup_signals();
	t->key_watch = virEventAddHandle(STDIN_FILENO,
	    VIR_EVENT_HANDLE_READABLE, on_key, t, NULL);
	t->sig_watch = virEventAddHandle(sig_pipe[0],
	    VIR_EVENT_HANDLE_READABLE, on_signal, t, NULL);
	t->tick_timer = virEventAddTimeout(delay_ms(t->delay), on_tick, t,
	    NULL);
	t->soon_timer = virEventAddTimeout(-1, on_soon, t, NULL);
	watch_conn(t);
	refresh_now(t);
	while (!t->quit)
		if (virEventRunDefaultImpl() < 0)
			break;
	virEventRemoveTimeout(t->tick_timer);
	virEventRemoveTimeout(t->soon_timer);
	virEventRemoveHandle(t->key_watch);
	virEventRemoveHandle(t->sig_watch);
	dmtop_screen_end();
	return 0;
}
