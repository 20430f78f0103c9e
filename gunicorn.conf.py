"""gunicorn's settings, one file for every way the web server starts: the image (Dockerfile, compose.yaml) and
the benchmarks (bench/harness.py). gunicorn reads it from the working directory; flags on the command line
win (GUNICORN_CMD_ARGS too, e.g. "--workers 4").
"""
import os

bind = "0.0.0.0:8000"
worker_class = "gthread"
# One process per core (WEB_CONCURRENCY; the reference machine has 2): Python runs one thread at a time per
# process, so fewer processes leave cores idle and more only add switching. Threads beyond that wait on
# PostgreSQL, and the more of them a process has, the more webhooks share each INSERT and commit
# (leads.ingest.group_commit.GroupCommit): in the webhook benchmark on 2 shared cores, 2 x 8 stored 1,800 to 2,400
# webhooks/s at 0.53 to 0.61 ms of server CPU each, 3 x 4 about 1,550/s at 0.70 to 0.72 ms.
# Keep DATABASE_POOL_MAX_SIZE (8) at least `threads`: each thread holds a connection while it works.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8
# Each worker listens on its own socket and the kernel spreads new connections over them. On one shared
# socket the first worker to wake took every connection a client opened at once (in the webhook benchmark,
# all 50 kept-alive connections on one or two of three workers in three runs of four) and served them on
# one core while the others idled. The price: connections still queued on a worker that exits are reset
# (unless the host sets net.ipv4.tcp_migrate_req=1, as compose.yaml does), so no max_requests here to restart
# workers for nothing.
reuse_port = True
# Connections a proxy in front keeps open are reused rather than closed after gunicorn's default 2 s.
keepalive = 30
