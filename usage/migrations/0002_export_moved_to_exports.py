from django.db import migrations


class Migration(migrations.Migration):
    """The Export model now belongs to the exports app; its table stays (exports 0001)."""

    dependencies = [
        ("usage", "0001_initial"),
        ("exports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Export")],
            database_operations=[],
        ),
    ]
