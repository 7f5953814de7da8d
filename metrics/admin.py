"""Admin pages for measures and their figures. Every save is audited with a reason, and the
statuses of the measure are recomputed once the change is committed."""

from django import forms
from django.contrib import admin

from metrics.models import (
    Baseline,
    Commentary,
    Comparator,
    Measure,
    MeasureStatus,
    NationalMeasure,
    NationalValue,
    Observation,
    Section,
    ServiceArea,
    Target,
)
from scrutiny import audited_admin


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail. Required when changing something already saved.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not cleaned.get("change_reason", "").strip():
            self.add_error("change_reason", "Say why this is being changed.")
        return cleaned


class RecomputingAdmin(audited_admin.AuditedAdmin):
    """Asks why for every change, and recomputes the measure's statuses once it is committed."""

    form = ReasonForm

    def changed(self, obj):
        # A deleted measure has no statuses left to recompute (its pk is then None).
        Measure.objects.filter(pk=self.measure_id_of(obj)).request_recompute()

    def measure_id_of(self, obj):
        return obj.measure_id


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["kind", "value", "effective_from", "effective_to", "source"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False  # change targets on their own page, where the reason is asked for

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceArea)
class ServiceAreaAdmin(audited_admin.AuditedAdmin):
    """Kept in the trail: making an area's scorecard public is a decision about what the whole
    world reads."""

    list_display = ["name", "slug", "order", "public_scorecard"]
    prepopulated_fields = {"slug": ["name"]}
    form = ReasonForm


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "order"]
    list_filter = ["area"]


@admin.register(Measure)
class MeasureAdmin(RecomputingAdmin):
    list_display = ["code", "name", "area", "section", "polarity", "frequency", "active"]
    list_filter = ["area", "frequency", "polarity", "active"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]
    autocomplete_fields = ["national_measure"]

    def measure_id_of(self, obj):
        return obj.pk

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from metrics.national_loading import refresh_comparators

        refresh_comparators([obj])  # linked or unlinked: its comparators follow


@admin.register(Target)
class TargetAdmin(RecomputingAdmin):
    list_display = ["measure", "kind", "value", "effective_from", "effective_to"]
    list_filter = ["kind", "measure__area"]
    search_fields = ["measure__code", "measure__name"]
    autocomplete_fields = ["measure"]


@admin.register(Comparator)
class ComparatorAdmin(RecomputingAdmin):
    list_display = ["measure", "kind", "availability", "value", "period_label", "national"]
    list_filter = ["kind", "availability", "national"]
    autocomplete_fields = ["measure"]

    # Those computed from the national statistics change only when the figures do.
    def has_change_permission(self, request, obj=None):
        return not (obj and obj.national) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.national) and super().has_delete_permission(request, obj)


@admin.register(Observation)
class ObservationAdmin(audited_admin.ReadOnlyAdmin):
    """Figures change only through an upload or a correction, which check them, keep their
    history, respect the version that protects concurrent uploads and leave published figures
    as members read them: an edit here would do none of that."""

    list_display = ["measure", "period_kind", "period_end", "breakdown", "value", "published"]
    list_filter = ["published", "period_kind", "measure__area"]
    search_fields = ["measure__code", "measure__name", "breakdown"]


@admin.register(Baseline)
class BaselineAdmin(RecomputingAdmin):
    list_display = ["measure", "starts", "reason", "set_by", "set_at"]
    autocomplete_fields = ["measure"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Commentary)
class CommentaryAdmin(RecomputingAdmin):
    """Who wrote it and whether members see it are set by writing it in the product and by
    publishing its period, never typed here."""

    list_display = ["measure", "period_end", "published", "written_at"]
    autocomplete_fields = ["measure"]
    readonly_fields = ["written_by", "written_at", "published"]


@admin.register(MeasureStatus)
class MeasureStatusAdmin(audited_admin.ReadOnlyAdmin):
    """Computed by the engine: read-only here."""

    list_display = [
        "measure",
        "period_kind",
        "period_end",
        "breakdown",
        "value",
        "target",
        "rag",
        "direction",
        "spc_variation",
        "computed_at",
    ]
    list_filter = ["working", "rag", "direction", "period_kind"]
    search_fields = ["measure__code"]


@admin.register(NationalMeasure)
class NationalMeasureAdmin(audited_admin.ReadOnlyAdmin):
    """The DfE's measures, as the catalogue reads them: loaded by ``import_national``."""

    list_display = ["key", "name", "unit", "polarity", "publication", "source_file"]
    search_fields = ["key", "name"]


@admin.register(NationalValue)
class NationalValueAdmin(audited_admin.ReadOnlyAdmin):
    list_display = ["measure", "geography", "period", "value", "marker", "publication"]
    list_filter = ["measure", "period"]
    search_fields = ["geography__name", "geography__code"]
