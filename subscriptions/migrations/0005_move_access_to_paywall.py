"""The access models moved to the paywall app: gone from this app's state, tables untouched.

Their tables keep their names (``db_table``); ``paywall 0001`` takes them into its own state.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_billingsettings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='complimentaryaccess',
                    name='granted_by',
                ),
                migrations.RemoveField(
                    model_name='complimentaryaccess',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='giftlink',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='giftlink',
                    name='sender',
                ),
                migrations.RemoveField(
                    model_name='meterperiod',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='meterread',
                    name='period',
                ),
                migrations.RemoveField(
                    model_name='meterread',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='organisation',
                    name='admin_contact',
                ),
                migrations.RemoveField(
                    model_name='seat',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='organisationdomain',
                    name='organisation',
                ),
                migrations.RemoveField(
                    model_name='organisationiprange',
                    name='organisation',
                ),
                migrations.DeleteModel(
                    name='PaywallSettings',
                ),
                migrations.RemoveField(
                    model_name='seat',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='ComplimentaryAccess',
                ),
                migrations.DeleteModel(
                    name='GiftLink',
                ),
                migrations.DeleteModel(
                    name='MeterPeriod',
                ),
                migrations.DeleteModel(
                    name='MeterRead',
                ),
                migrations.DeleteModel(
                    name='OrganisationDomain',
                ),
                migrations.DeleteModel(
                    name='Organisation',
                ),
                migrations.DeleteModel(
                    name='OrganisationIPRange',
                ),
                migrations.DeleteModel(
                    name='Seat',
                ),
            ],
        ),
    ]
