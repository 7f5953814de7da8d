from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Measure the product against the speed and memory goals in the issues. Each bench "
        "makes its own generated data and removes it; the last lines, one per figure, read "
        "'bench: <name> <value> <unit> (floor <value> <unit>, <ratio>x)'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "which",
            choices=["engine", "upload", "pages", "all"],
            help="which benchmark to run (all: every one, one after another)",
        )
        parser.add_argument(
            "--database",
            action="store_true",
            help="engine: also read, judge and write through PostgreSQL, stage by stage",
        )
        parser.add_argument(
            "--cold",
            action="store_true",
            help="pages: also time each request with every cache cleared before it",
        )
        parser.add_argument("--series", type=int, default=5000)
        parser.add_argument("--months", type=int, default=200)
        parser.add_argument("--rows", type=int, default=1_000_000, help="upload: rows to load")

    def handle(self, *args, which, database, cold, series, months, rows, **options):
        from metrics import benchmarks

        write = self.stdout.write
        results = []
        if which in ("engine", "all"):
            results += benchmarks.bench_engine(write, series=series, months=months)
            if database or which == "all":
                results += benchmarks.bench_engine_database(write, series=series, months=months)
        if which in ("upload", "all"):
            results += benchmarks.bench_upload(write, rows_wanted=rows)
        if which in ("pages", "all"):
            results += benchmarks.bench_pages(write, cold=cold or which == "all")
        write("")
        for name, value, unit, floor, floor_unit in results:
            ratio = value / floor if floor else float("inf")
            write(
                f"bench: {name} {value:.3g} {unit} (floor {floor:.3g} {floor_unit}, {ratio:.1f}x)"
            )
