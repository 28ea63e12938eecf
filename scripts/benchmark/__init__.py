"""The usage API under a production web server: run by hand (`make benchmark`), not by tests.

Starts the sandbox (`python -m sandbox`) on a free loopback port, migrates a throwaway
SQLite database, makes two demo owners (the sandbox's big customer, and the customer
whose unbilled subscription is closest to 500 records), starts the BFF under gunicorn
(scripts.benchmark.settings: config.settings.local with the benchmark's URLconf;
DEBUG=false, 2 gthread workers) on a free port, logs in through the API and prints,
measured in this one run:

  1. warm-cache time of a 50-record page of the big subscription ÷ the same for the
     ~500-record one (target ≤ 1.5), medians and p95 over --requests requests each;
  2. the same for a filtered and sorted page (usage_type=data&sort=-amount; the view is
     computed by its first request and kept, so "warm" is the second request onward);
  3. upstream calls made by --concurrency concurrent requests for the big set once its
     cache is cold (the customer's generation bumped), counted by the sandbox (target 1);
  4. peak memory (VmHWM and sampled VmRSS from /proc) of each web worker while serving
     the big set, cold and warm;
  5. with the sandbox adding 100 ms to every call (/_sandbox/faults latencyMs=100), a
     cold overview (GET /api/v1/customers/{no}/overview, four upstream reads run
     concurrently) ÷ a cold profile (GET /api/v1/customers/{no}, one upstream read),
     both through the BFF, medians over --overview-rounds rounds (target < 2);
  6. requests per second of the warm overview ÷ those of a bare Django JSON view
     (/bench/json, routed only by the benchmark's URLconf) on the same server,
     --rps-clients keep-alive clients in alternating windows of --rps-seconds
     (target ≥ 0.5).

The four timed series are interleaved request by request (the order shuffled each round,
the same page numbers for both sets), so drift on the machine hits all of them alike;
so are the rounds of (5) and the windows of (6).

Redis: REDIS_URL (default redis://127.0.0.1:6379/0). Every key the run writes is under
its own prefix (bench-<random>) and removed at exit; nothing else is touched. Every
process it starts listens on 127.0.0.1 only and is stopped at exit, Ctrl-C included.
"""
