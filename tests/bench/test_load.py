"""The load run's bookkeeping: where the processor time went, and what is reported."""

from __future__ import annotations

import subprocess
import sys

from bench.load import CpuSampler, Session, markdown, report


def test_processor_time_is_counted_on_the_side_of_the_process_that_spent_it():
    def classify(comm: str, cmdline: str, pid: int, own: int) -> str:
        return "probe" if "cpu-probe" in cmdline else ("sampler" if pid == own else "rest")

    sampler = CpuSampler(classify)
    sampler.start()
    # A process born during the run: its whole time counts. It waits after its work so that a sample
    # sees the time spent (one that ends between two samples loses what it spent after the last).
    busy = (
        "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\n"
        "time.sleep(1.2)  # cpu-probe"
    )
    subprocess.run([sys.executable, "-c", busy], check=True)
    cpu = sampler.stop()
    assert 0.5 <= cpu["probe"] <= 1.5
    # This process existed before the first sample: only what it spent since counts (not its start-up).
    assert cpu["sampler"] < 1.0


def test_the_report_says_how_the_sessions_clicked_and_where_the_cores_went():
    partner = Session(0, "charge-1", "partenaire", think_s=5)
    partner.page_times, partner.login_s, partner.sent = [("envoi", 0.4)], 0.9, True
    result = report([partner], 60.0, 3, {"charge-1"}, {"charge-1"}, scale=10)
    result.update(think_s=5, arrival_s=60, cpu_s={"app": 30.0, "browser": 50.0}, cores=2)
    table = markdown(result, "test.")
    assert "lecture de 2,5 à 7,5 s entre deux clics, arrivées étalées sur 60 s" in table
    assert "2 cœurs × 60 s = 120 s) : navigateur 50,0 s · application 30,0 s." in table
    assert result["holds"]


def test_requests_are_counted_per_app_process_including_after_a_failover(tmp_path):
    from tests.browser.production import Proxy

    proxy = Proxy([], tmp_path)
    proxy.access_log.write_text(
        '127.0.1.1 [x] "POST /_stcore/agent/interact HTTP/1.1" 200 10 upstream=127.0.0.1:8001 time=0.2\n'
        '127.0.2.1 [x] "GET / HTTP/1.1" 200 10 upstream=127.0.0.1:8001, 127.0.0.1:8002 time=0.4\n'
        '127.0.2.1 [x] "GET / HTTP/1.1" 200 10 upstream=127.0.0.1:8002 time=0.1\n'
        '127.0.3.1 [x] "GET /_stcore/health HTTP/1.1" 200 2 upstream=- time=0.0\n'
    )
    assert proxy.upstream_counts() == {8001: 1, 8002: 2}
    assert proxy.last_upstream() == 8002
