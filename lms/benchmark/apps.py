from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """Layer 6 (tooling, no models): the national-scale dataset and the side-by-side
    benchmark. It may read every app; nothing imports it."""

    name = "lms.benchmark"
    label = "benchmark"
    verbose_name = "Benchmark"
    default_auto_field = "django.db.models.BigAutoField"
