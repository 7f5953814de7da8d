from django.core.management.base import BaseCommand, CommandError

from metrics.models import Measure


class Command(BaseCommand):
    help = "Recompute RAG, direction of travel and SPC statuses now, without a broker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--measure",
            action="append",
            metavar="CODE",
            help="only this measure (repeat for several)",
        )

    def handle(self, *args, measure=None, **options):
        measures = Measure.objects.all()
        if measure:
            measures = measures.filter(code__in=measure)
            unknown = set(measure) - set(measures.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"No measure with code {', '.join(sorted(unknown))}.")
        count = measures.recompute_statuses()
        self.stdout.write(f"Recomputed {count} statuses for {measures.count()} measures.")
