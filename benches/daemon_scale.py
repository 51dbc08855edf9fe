#!/usr/bin/env python3
"""Scale of the daemon (issue 17): N local sites, every source on a one-minute schedule.

    cargo build --release && benches/daemon_scale.py [N ...]     (default: 500 2000 10000)

Each site is its own host: site k listens on its own loopback address 127.0.X.Y (Linux routes
all of 127/8 to lo), all sites served by this one Python process (asyncio), each with a feed of
3 articles that answers conditional requests (If-None-Match) with 304, robots.txt and the three
article pages. The daemon ($CHISO, else $CARGO_TARGET_DIR/release/chiso, else
target/release/chiso) runs every source on
"0 * * * * *" with `jitter_s = 0` (all N due in the same second), SQLite in a temporary folder,
defaults otherwise (so `max_concurrent_runs` = 50 × `max_connections` = 250, a pool of 5). The script raises its
soft file-descriptor limit (`ulimit -n`) to the hard limit (it needs one listening socket per
site plus the open connections; the daemon inherits the raised limit).

Printed per N: first cycle complete (daemon start to all 3N articles stored), peak RSS (VmHWM),
idle RSS (resident at the end of the last later cycle's idle part), CPU per source per later
cycle (user + system time of the daemon over the cycle / N), idle CPU (share of a core between
the last feed request of a cycle and the next minute), sources skipped in a later cycle (sites
without exactly one feed request answered 304 in that minute), the daemon's own skip count
(`sources.runs_skipped`) during the first cycle and the later cycles, articles fetched twice,
and ERROR lines in the daemon log. Env: LATER_CYCLES (default 3), KEEP=1 keeps the work folder.
"""

import asyncio
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("CHISO") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "release", "chiso"
)
LATER = int(os.environ.get("LATER_CYCLES", "3"))
ETAG = '"feed-v1"'
TICK = os.sysconf("SC_CLK_TCK")


def address(k):
    return f"127.0.{1 + k // 250}.{1 + k % 250}"


def free_port():
    # A port free on the first and the last address is taken for all (checked again at bind).
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port


def feed(k, base):
    items = "".join(
        f"<item><title>Tin {i} của xã {k}</title><link>{base}/tin-{i}-post{k * 10 + i}.html</link>"
        f"<pubDate>Fri, 04 Dec 2026 0{i}:00:00 +0700</pubDate></item>"
        for i in (1, 2, 3)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Xã {k}</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def article(k, i):
    paras = [
        f"Năm 2025, tổng giá trị sản xuất của xã số {k} đạt {100 + k % 900},{i} tỷ đồng, "
        f"tăng {1 + i},{k % 9}% so với năm 2024.",
        f"Thu nhập bình quân đầu người đạt {40 + i},{k % 9} triệu đồng/người/năm.",
        "Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội và đề ra "
        "phương hướng cho thời gian tới. " * 4,
    ]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>Tin {i}</title></head><body><article>"
        f'<h1 class="t">Báo cáo {i} của xã số {k}</h1>'
        f'<time datetime="2026-12-04T0{i}:00:00+07:00">4/12</time>'
        f'<div class="b">{body}</div></article></body></html>'
    ).encode()


class Sites:
    """Every site, and what each was asked: (time, site, kind, status, path)."""

    def __init__(self, n, port):
        self.n, self.port = n, port
        self.log = []
        self.servers = []

    async def start(self):
        loop = asyncio.get_running_loop()
        for k in range(self.n):
            server = await loop.create_server(
                lambda k=k: Conn(self, k), address(k), self.port, backlog=64
            )
            self.servers.append(server)

    def answer(self, k, path, headers):
        base = f"http://{address(k)}:{self.port}"
        now = time.time()
        if path == "/robots.txt":
            self.log.append((now, k, "robots", 200, path))
            return 200, b"User-agent: *\nAllow: /\n", "text/plain", {}
        if path == "/rss.xml":
            if headers.get("if-none-match") == ETAG:
                self.log.append((now, k, "feed", 304, path))
                return 304, b"", None, {"ETag": ETAG}
            self.log.append((now, k, "feed", 200, path))
            return 200, feed(k, base), "application/rss+xml; charset=utf-8", {"ETag": ETAG}
        for i in (1, 2, 3):
            if path == f"/tin-{i}-post{k * 10 + i}.html":
                self.log.append((now, k, "article", 200, path))
                return 200, article(k, i), "text/html; charset=utf-8", {}
        self.log.append((now, k, "other", 404, path))
        return 404, b"not found", "text/plain", {}


class Conn(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; an idle connection is closed after 5 s (Apache's default)."""

    def __init__(self, sites, k):
        self.sites, self.k, self.buf, self.idle = sites, k, b"", None

    def connection_made(self, transport):
        self.t = transport
        self.arm()

    def arm(self):
        if self.idle:
            self.idle.cancel()
        self.idle = asyncio.get_running_loop().call_later(5, self.t.close)

    def connection_lost(self, exc):
        if self.idle:
            self.idle.cancel()

    def data_received(self, data):
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            status, body, ctype, extra = self.sites.answer(self.k, path, headers)
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
            out = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
            if ctype:
                out.append(f"Content-Type: {ctype}")
            out += [f"{h}: {v}" for h, v in extra.items()]
            self.t.write(("\r\n".join(out) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else body))
        self.arm()


def config(work, n, port):
    out = [
        f'[database]\nurl = "sqlite://{work}/scale.db"\n',
        "[schedule]\njitter_s = 0\nrun_at_start = true\n",
        '[daemon]\nlisten = ""\nshutdown_timeout_s = 10\n',
    ]
    for k in range(n):
        out.append(
            f'[[source]]\nname = "xa{k}"\nprovince = "Hà Tĩnh"\n'
            f'base_url = "http://{address(k)}:{port}"\nschedule = "0 * * * * *"\n'
            'feeds = ["/rss.xml"]\narticle_pattern = \'-post\\d+\\.html$\'\n'
            '[source.selectors]\ntitle = "h1.t"\npublished = "time[datetime]"\nbody = ".b"\n'
        )
    return "\n".join(out)


def proc(pid):
    """(cpu seconds, rss MiB, peak rss MiB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    rss = hwm = 0.0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return cpu, rss, hwm


def db_scalar(db, sql):
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return c.execute(sql).fetchone()[0] or 0
        finally:
            c.close()
    except sqlite3.Error:
        return None


async def sleep_until(t):
    await asyncio.sleep(max(0.0, t - time.time()))


async def bench(n):
    work = tempfile.mkdtemp(prefix=f"chiso-scale-{n}-")
    port = free_port()
    sites = Sites(n, port)
    t_setup = time.time()
    await sites.start()
    print(f"  {n} sites on 127.0.1.1..{address(n - 1)}:{port} ({time.time() - t_setup:.1f} s)", flush=True)
    cfg = os.path.join(work, "chiso.toml")
    with open(cfg, "w") as f:
        f.write(config(work, n, port))
    db = os.path.join(work, "scale.db")
    logf = open(os.path.join(work, "daemon.log"), "w")
    t0 = time.time()
    env = dict(os.environ, RUST_LOG="info")
    daemon = subprocess.Popen([BIN, "--config", cfg, "run"], stdout=logf, stderr=logf, env=env)
    samples = []  # (time, cpu s, rss MiB)

    async def sample():
        while daemon.poll() is None:
            try:
                cpu, rss, _ = proc(daemon.pid)
                samples.append((time.time(), cpu, rss))
            except OSError:
                return
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    # First cycle: every article stored.
    first = None
    while first is None:
        await asyncio.sleep(1)
        if daemon.poll() is not None:
            raise SystemExit(f"chiso exited with {daemon.returncode}: see {work}/daemon.log")
        stored = db_scalar(db, "SELECT COUNT(*) FROM articles")
        if stored is not None and stored >= 3 * n:
            first = time.time() - t0
        elif time.time() - t0 > 900:
            raise SystemExit(f"first cycle not complete after 15 min: {stored} of {3 * n} articles")
    skipped_first = db_scalar(db, "SELECT SUM(runs_skipped) FROM sources")
    # Later cycles: whole minutes after the first cycle.
    b = (int(time.time()) // 60 + 1) * 60
    if b - time.time() < 2:
        b += 60
    await sleep_until(b + 0.5)
    skipped_at = [db_scalar(db, "SELECT SUM(runs_skipped) FROM sources")]
    await sleep_until(b + 60 * LATER + 1)
    skipped_at.append(db_scalar(db, "SELECT SUM(runs_skipped) FROM sources"))
    _, _, peak = proc(daemon.pid)
    daemon.send_signal(signal.SIGTERM)
    code = daemon.wait(timeout=60)
    await sampler
    logf.close()

    def at(t):  # the sample nearest to t
        return min(samples, key=lambda s: abs(s[0] - t))

    rows = []
    for c in range(LATER):
        start, end = b + 60 * c, b + 60 * (c + 1)
        feeds = defaultdict(list)
        for (t, k, kind, status, _) in sites.log:
            if kind == "feed" and start <= t < end:
                feeds[k].append(status)
        ok = sum(1 for k in range(n) if feeds.get(k) == [304])
        last = max((t for (t, _, kind, _, _) in sites.log if kind == "feed" and start <= t < end), default=start)
        idle_from, idle_to = last + 1, end - 1
        cpu = (at(end)[1] - at(start)[1]) / n * 1000
        idle_cpu = None
        if idle_to - idle_from >= 10:
            a, z = at(idle_from), at(idle_to)
            idle_cpu = (z[1] - a[1]) / (z[0] - a[0]) * 100 if z[0] > a[0] else None
        rows.append((c + 1, ok, n - ok, last - start, cpu, idle_cpu, at(idle_to)[2]))
    paths = defaultdict(int)
    for (_, _, kind, status, path) in sites.log:
        if kind == "article" and status == 200:
            paths[path] += 1
    twice = sum(1 for v in paths.values() if v > 1)
    with open(os.path.join(work, "daemon.log")) as f:
        log = f.read()
    errors = sum(1 for line in log.splitlines() if " ERROR " in line)
    stored = db_scalar(db, "SELECT COUNT(*) FROM articles")
    for s in sites.servers:
        s.close()
    print(f"N = {n}: first cycle complete {first:.0f} s; peak RSS {peak:.0f} MiB; "
          f"articles stored {stored} of {3 * n}, fetched twice {twice}; ERROR lines {errors}; "
          f"daemon skips during the first cycle {skipped_first}, during the later cycles "
          f"{(skipped_at[1] or 0) - (skipped_at[0] or 0)}; exit code {code}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for (c, ok, missing, busy, cpu, idle_cpu, idle_rss) in rows:
        idle = f"{idle_cpu:.2f} %" if idle_cpu is not None else "n/a (no idle part)"
        print(f"  later cycle {c}: {ok} of {n} sources made one conditional feed request "
              f"answered 304, {missing} did not; runs done {busy:.0f} s into the minute; "
              f"CPU {cpu:.2f} ms per source; idle CPU {idle} of a core; idle RSS {idle_rss:.0f} MiB",
              flush=True)
    if os.environ.get("KEEP"):
        print(f"  kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit("build first: cargo build --release")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sizes = [int(a) for a in sys.argv[1:]] or [500, 2000, 10000]
    print(f"chiso {BIN}; file descriptors: soft limit raised from {soft} to {hard}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    for n in sizes:
        if n + 2000 > hard:
            sys.exit(f"{n} sites need about {n + 2000} file descriptors; hard limit {hard}")
        asyncio.run(bench(n))


if __name__ == "__main__":
    main()
