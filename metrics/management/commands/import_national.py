import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrics import national_loading


class Command(BaseCommand):
    help = (
        "Load the DfE's and Ofsted's published files as they are published: "
        "explore-education-statistics CSVs, the statistical neighbour tables (CSV or XLSX), "
        "LAIT's data dictionary (CSV) and Ofsted's inspection outcomes (ODS). A directory loads "
        "every file in it. Re-loading changes nothing; a later publication's different figure "
        "replaces the earlier one and both are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        paths = []
        for path in files:
            if path.is_dir():
                paths += sorted(p for p in path.rglob("*") if p.is_file())
            else:
                paths.append(path)
        started = time.perf_counter()
        try:
            report = national_loading.load(national_loading.in_loading_order(paths))
        except national_loading.NationalFileError as error:
            raise CommandError(str(error)) from None
        for line in report.lines:
            self.stdout.write(line)
        for problem in report.problems[:100]:
            self.stderr.write(f"Problem: {problem}")
        if len(report.problems) > 100:
            self.stderr.write(f"… and {len(report.problems) - 100} more problems.")
        self.stdout.write(
            f"{report.added} figures added, {report.revised} revised by a later publication, "
            f"{report.unchanged} unchanged, {report.older} from an earlier publication kept as "
            f"revisions; {len(report.problems)} problems; {time.perf_counter() - started:.1f} s."
        )
        if report.problems:
            raise CommandError(
                "The files with problems were not loaded (nothing from them was written); the "
                "others were."
            )
