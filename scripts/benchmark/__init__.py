"""Issue 12's goals under a production web server: run by hand (`make benchmark`), not by tests.

Starts the sandbox (`python -m sandbox`) on a free loopback port, migrates a throwaway
SQLite database, makes two demo owners (the sandbox's big customer, and the customer
whose unbilled subscription is closest to 500 records), starts the BFF under gunicorn
(scripts.benchmark.settings: config.settings.local with the benchmark's URLconf, which
adds the bare view bench/json; DEBUG=false, 2 workers x 8 gthread threads, SO_REUSEPORT)
on a free port, logs in through the API (JWT) and through the site's login form
(session), and prints, measured in this one run, each with its target and "met",
"missed" or "not measured":

  1. warm requests/s, driven by wrk (8 connections, --window-seconds windows, routes
     round-robin over --rounds rounds, median per route), of the overview, the big
     set's 50-record usage page, /api/v1/me and the browser overview page, each ÷ the
     bare view's (targets ≥ 0.5, 0.5, 0.7, 0.4);
  2. a warm 50-record page of the big set ÷ one of the ~500-record set, wrk's median
     latency, side by side (≤ 1.2);
  3. Redis bytes per cached record of the big set: MEMORY USAGE of every key containing
     the set's key ÷ its records (≤ 48);
  4. the cold first page of the big set ÷ fetching and parsing its upstream body, medians
     of alternating rounds (≤ 1.5), and a worker's peak RSS above rest meanwhile
     (≤ 60 MiB);
  5. non-2xx answers in every wrk window (0).

A wrk window counts only when wrk used at most half a core per server core, every answer
was 2xx, the sandbox saw no upstream call during it and both workers held wrk's
connections; any other window makes its figures "not measured". Also kept: sequential
warm pages, 50 concurrent cold requests (one upstream call), the cold overview, and the
workers' memory per phase. docs/benchmarks.md says what each figure means.

Redis: REDIS_URL (default redis://127.0.0.1:6379/0). Every key the run writes is under
its own prefix (bench-<random>) and removed at exit; nothing else is touched. Every
process it starts listens on 127.0.0.1 only and is stopped at exit, Ctrl-C included.
"""
