def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "live_benchmark: runs the benchmark with wrk against a live server; `make test` runs "
        "it in a pytest run of its own, because its flush empties every table afterwards",
    )
