def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "live_benchmark: runs the benchmark with wrk against a live server (run it alone with "
        "`-m live_benchmark`)",
    )
