from django.db import migrations, models


class Migration(migrations.Migration):
    """A measure's counter of committed changes was called ``figures_version``, the name the
    service area's page-cache generation also has: it is renamed, its values kept."""

    dependencies = [
        ("metrics", "0020_spc_limits_per_segment"),
    ]

    operations = [
        migrations.RenameField(
            model_name="measure", old_name="figures_version", new_name="figures_revision"
        ),
        migrations.AlterField(
            model_name="measure",
            name="figures_revision",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Goes up with every committed change to the measure's figures: a file "
                "checked against an older revision is checked again before it is loaded",
            ),
        ),
    ]
