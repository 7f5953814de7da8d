from django.db import migrations


def add_starter_terms(apps, schema_editor):
    """Every council starts with the terms members meet most; officers edit them from then
    on, so only those missing are added."""
    from scrutiny.glossary import starter_terms

    GlossaryTerm = apps.get_model("scrutiny", "GlossaryTerm")
    have = set(GlossaryTerm.objects.values_list("slug", flat=True))
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(**term) for term in starter_terms() if term["slug"] not in have
    )


class Migration(migrations.Migration):
    dependencies = [("scrutiny", "0008_glossary")]

    operations = [migrations.RunPython(add_starter_terms, migrations.RunPython.noop)]
