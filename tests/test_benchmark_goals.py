"""The benchmark's pure parts: wrk's output read right, a window's validity, the verdicts.

The benchmark itself runs by hand (`make benchmark`, docs/benchmarks.md); these only
check that what it prints follows its rules.
"""

import math

import pytest

from scripts.benchmark import goals, wrk

WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:40123/api/v1/me
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.42ms    3.10ms  41.20ms   78.00%
    Req/Sec   479.51     60.12   600.00     70.00%
  Latency Distribution
     50%    7.95ms
     75%    9.80ms
     90%   12.01ms
     99%    1.02s
  2877 requests in 3.01s, 2.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 12
Requests/sec:    955.81
Transfer/sec:    714.55KB
"""


def test_wrk_output_is_parsed():
    found = wrk.parse(WRK_OUTPUT)
    assert found["rps"] == pytest.approx(955.81)
    assert found["requests"] == 2877
    assert found["seconds"] == pytest.approx(3.01)
    assert found["latency_ms"] == pytest.approx({"50": 7.95, "75": 9.80, "90": 12.01, "99": 1020})
    assert found["non_2xx"] == 12
    assert found["socket_errors"] == 3


def test_wrk_output_without_errors_counts_none():
    clean = "\n".join(
        line for line in WRK_OUTPUT.splitlines() if "Non-2xx" not in line and "Socket" not in line
    )
    found = wrk.parse(clean.replace("7.95ms", "750.00us"))
    assert (found["non_2xx"], found["socket_errors"]) == (0, 0)
    assert found["latency_ms"]["50"] == pytest.approx(0.75)


def test_wrk_output_without_a_result_stops_the_run():
    with pytest.raises(SystemExit, match="no result"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_command_sends_the_headers_and_asks_for_latency(monkeypatch):
    monkeypatch.setattr(wrk.shutil, "which", lambda name: "/usr/bin/wrk")
    args = wrk.command("http://h/x", {"Cookie": "a=b"}, 3, 8)
    assert args[:3] == ["/usr/bin/wrk", "-t2", "-c8"]
    assert "-d3s" in args and "--latency" in args
    assert args[args.index("-H") + 1] == "Cookie: a=b"
    assert args[-1] == "http://h/x"


def test_a_missing_wrk_says_what_to_install(monkeypatch):
    monkeypatch.setattr(wrk.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="apt-get install wrk"):
        wrk.executable()


def problems(**overrides):
    window = dict(cpu_per_second=0.2, server_cores=2, non_2xx=0, socket_errors=0, upstream_calls=0)
    return goals.window_problems(**{**window, **overrides})


def test_a_window_is_valid_up_to_half_a_core_of_client_per_server_core():
    assert problems() == []
    assert problems(cpu_per_second=1.0) == []  # 0.5 core per core on 2 cores: still valid
    assert "client saturated" in problems(cpu_per_second=1.01)[0]
    assert "client saturated" in problems(cpu_per_second=0.6, server_cores=1)[0]


def test_errors_and_upstream_calls_make_a_window_invalid():
    assert problems(non_2xx=3) == ["3 non-2xx answers"]
    assert problems(socket_errors=1) == ["1 socket errors"]
    assert problems(upstream_calls=2) == ["not warm: 2 upstream calls"]


def test_verdicts_follow_the_direction_of_each_target():
    at_least, at_most = goals.GOALS["me"], goals.GOALS["redis"]
    assert at_least.verdict(0.7) == goals.MET
    assert at_least.verdict(0.69) == goals.MISSED
    assert at_most.verdict(48) == goals.MET
    assert at_most.verdict(48.1) == goals.MISSED
    assert goals.GOALS["non_2xx"].verdict(0) == goals.MET
    assert goals.GOALS["non_2xx"].verdict(1) == goals.MISSED


def test_a_figure_from_an_invalid_window_is_never_met():
    goal = goals.GOALS["overview"]
    assert goal.verdict(0.9, measured=False) == goals.NOT_MEASURED
    assert goal.verdict(None) == goals.NOT_MEASURED
    assert goal.verdict(math.nan) == goals.NOT_MEASURED


def window(rps, p50=1.0, *, problems=(), non_2xx=0):
    return {
        "rps": rps,
        "latency_ms": {"50": p50},
        "non_2xx": non_2xx,
        "socket_errors": 0,
        "problems": list(problems),
    }


def test_ratios_are_medians_of_the_route_over_medians_of_the_bare_view():
    windows = {
        "bare": [window(1000), window(3000), window(2000)],
        "overview": [window(900), window(1100), window(5000)],
        "me": [window(1500)],
        "usage": [window(800, p50=12.0), window(800, p50=10.0)],
        "usage_small": [window(900, p50=10.0), window(900, p50=10.0)],
        "page": [window(800)],
    }
    figures = goals.throughput_figures(windows)
    assert figures["overview"] == {"figure": pytest.approx(0.55), "measured": True}
    assert figures["me"]["figure"] == pytest.approx(0.75)
    assert figures["big_small"]["figure"] == pytest.approx(1.1)
    assert figures["non_2xx"]["figure"] == 0
    rows = {row["name"]: row for row in goals.summary_rows(figures)}
    assert rows["overview"]["verdict"] == goals.MET
    assert rows["page"]["verdict"] == goals.MET  # 800 / 2000 = 0.4: the target itself
    assert rows["usage"]["verdict"] == goals.MISSED
    assert rows["redis"]["verdict"] == goals.NOT_MEASURED  # no figure given


def test_one_invalid_bare_window_leaves_every_ratio_not_measured():
    windows = {
        "bare": [window(1000), window(1000, problems=["client saturated"])],
        "overview": [window(900)],
        "usage": [window(900)],
        "usage_small": [window(900)],
        "me": [window(900)],
        "page": [window(900)],
    }
    rows = {row["name"]: row for row in goals.summary_rows(goals.throughput_figures(windows))}
    for name in goals.RATIO_ROUTES:
        assert rows[name]["verdict"] == goals.NOT_MEASURED
    assert rows["big_small"]["verdict"] == goals.MET  # its own windows were all valid


def test_any_non_2xx_answer_misses_goal_5():
    windows = {"bare": [window(1000)], "me": [window(900, non_2xx=1)]}
    rows = {row["name"]: row for row in goals.summary_rows(goals.throughput_figures(windows))}
    assert rows["non_2xx"]["verdict"] == goals.MISSED


def test_a_window_whose_connections_missed_a_worker_is_not_a_measurement():
    assert problems(connections_by_worker=[4, 4]) == []
    assert problems(connections_by_worker=[6, 2]) == []
    assert problems(connections_by_worker=[7, 1]) == ["unbalanced: 7/1 connections by worker"]
    assert problems(connections_by_worker=[8, 0])[0].startswith(goals.UNBALANCED)
