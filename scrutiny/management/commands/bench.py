from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the product against the speed and memory goals in the issues."

    def add_arguments(self, parser):
        parser.add_argument(
            "which", choices=["engine", "upload", "pages"], help="which benchmark to run"
        )
        parser.add_argument("--series", type=int, default=5000)
        parser.add_argument("--months", type=int, default=200)
        parser.add_argument("--rows", type=int, default=1_000_000, help="upload: rows to load")

    def handle(self, *args, which, series, months, rows, **options):
        from metrics.benchmarks import bench_engine, bench_pages, bench_upload

        if which == "engine":
            bench_engine(self.stdout.write, series=series, months=months)
        elif which == "upload":
            bench_upload(self.stdout.write, rows_wanted=rows)
        elif which == "pages":
            bench_pages(self.stdout.write)
