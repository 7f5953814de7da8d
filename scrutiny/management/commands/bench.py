from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the product against the speed and memory goals in the issues."

    def add_arguments(self, parser):
        parser.add_argument("which", choices=["engine"], help="which benchmark to run")
        parser.add_argument("--series", type=int, default=5000)
        parser.add_argument("--months", type=int, default=200)

    def handle(self, *args, which, series, months, **options):
        from metrics.benchmarks import bench_engine

        if which == "engine":
            bench_engine(self.stdout.write, series=series, months=months)
