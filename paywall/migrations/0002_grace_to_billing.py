"""The grace after a failed payment is billing's setting now (subscriptions.BillingSettings)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    paywall_row = apps.get_model("paywall", "PaywallSettings").objects.using(alias).first()
    if paywall_row is not None:
        apps.get_model("subscriptions", "BillingSettings").objects.using(alias).update_or_create(
            pk=1, defaults={"past_due_grace_days": paywall_row.past_due_grace_days}
        )


def backwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    billing_row = apps.get_model("subscriptions", "BillingSettings").objects.using(alias).first()
    if billing_row is not None:
        apps.get_model("paywall", "PaywallSettings").objects.using(alias).filter(pk=1).update(
            past_due_grace_days=billing_row.past_due_grace_days
        )


class Migration(migrations.Migration):
    dependencies = [
        ("paywall", "0001_initial"),
        ("subscriptions", "0004_billingsettings"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="paywallsettings", name="past_due_grace_days"),
    ]
