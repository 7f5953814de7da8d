from django.core.management.base import BaseCommand, CommandError


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
            help="which benchmark to run (all: every one, one after another, the engine's "
            "with --database and the pages' with --cold)",
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
        if which == "all":
            return self._each_in_its_own_process(series, months, rows)
        results = []
        if which == "engine":
            results += benchmarks.bench_engine(write, series=series, months=months)
            if database:
                results += benchmarks.bench_engine_database(write, series=series, months=months)
        elif which == "upload":
            results += benchmarks.bench_upload(write, rows_wanted=rows)
        elif which == "pages":
            results += benchmarks.bench_pages(write, cold=cold)
        write("")
        for name, value, unit, floor, floor_unit in results:
            ratio = value / floor if floor else float("inf")
            write(
                f"bench: {name} {_plain(value)} {unit} "
                f"(floor {_plain(floor)} {floor_unit}, {ratio:.1f}x)"
            )

    def _each_in_its_own_process(self, series, months, rows):
        """Every bench, one after another, each in its own process so that each one's peak
        memory is its own; their 'bench:' lines are repeated together at the end."""
        import subprocess
        import sys

        from django.conf import settings

        sizes = ["--series", str(series), "--months", str(months)]
        figures = []
        for arguments in (
            ["engine", "--database", *sizes],
            ["upload", "--rows", str(rows)],
            ["pages", "--cold"],
        ):
            process = subprocess.Popen(
                [sys.executable, "manage.py", "bench", *arguments],
                cwd=settings.BASE_DIR,
                stdout=subprocess.PIPE,
                text=True,
            )
            for line in process.stdout:
                self.stdout.write(line.rstrip("\n"))
                if line.startswith("bench: "):
                    figures.append(line.rstrip("\n"))
            if process.wait():
                raise CommandError(f"bench {arguments[0]} failed")
        self.stdout.write("")
        for line in figures:
            self.stdout.write(line)


def _plain(number):
    """Three significant figures, never in exponent form: 1012, 42.9, 0.00457."""
    return f"{number:.0f}" if abs(number) >= 100 else f"{number:.3g}"
