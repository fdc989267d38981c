"""The access models, moved here from subscriptions: their tables and rows stay where they are.

State only (``SeparateDatabaseAndState``): every table keeps its name (``db_table``), so a
database made by the old schema migrates without touching a row. The content types move with
them, so that the permissions given to groups and staff still apply.
"""

import core.validators
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = (
    "paywallsettings",
    "complimentaryaccess",
    "organisation",
    "organisationdomain",
    "organisationiprange",
    "seat",
    "giftlink",
    "meterperiod",
    "meterread",
)


def _move_content_types(apps, schema_editor, source, target):
    """Relabel the moved models' content types; permissions (and who holds them) follow."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(
        schema_editor.connection.alias
    )
    permissions = apps.get_model("auth", "Permission").objects.db_manager(
        schema_editor.connection.alias
    )
    for model in MOVED_MODELS:
        old = content_types.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = content_types.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist (a migrate run in between created the new one): keep the new one and
        # give its permissions to whoever held the old ones.
        for permission in permissions.filter(content_type=old):
            kept = permissions.filter(content_type=new, codename=permission.codename).first()
            if kept is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(kept)
            for user in permission.user_set.all():
                user.user_permissions.add(kept)
            permission.delete()
        old.delete()


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "subscriptions", "paywall")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "paywall", "subscriptions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("subscriptions", "0005_move_access_to_paywall"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ('magazine', '0002_author_photo_dimensions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PaywallSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('meter_limit', models.PositiveSmallIntegerField(default=3, help_text='Registered readers without a subscription; 0 turns the meter off.', verbose_name='free subscriber articles per month')),
                        ('gifts_per_month', models.PositiveSmallIntegerField(default=5, verbose_name='gift links per subscriber per month')),
                        ('gift_link_days', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1)], verbose_name='gift link validity (days)')),
                        # Still in the table: paywall 0002 hands it to billing's settings, then drops it.
                        ('past_due_grace_days', models.PositiveSmallIntegerField(default=7, verbose_name='grace period after a failed payment (days)')),
                    ],
                    options={
                        'verbose_name': 'paywall settings',
                        'verbose_name_plural': 'paywall settings',
                        'db_table': 'subscriptions_paywallsettings',
                    },
                ),
                migrations.CreateModel(
                    name='MeterPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month (Europe/Paris).', verbose_name='month')),
                        ('reads_count', models.PositiveSmallIntegerField(default=0, verbose_name='articles read')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meter_periods', to=settings.AUTH_USER_MODEL, verbose_name='reader')),
                    ],
                    options={
                        'verbose_name': 'monthly meter',
                        'verbose_name_plural': 'monthly meters',
                        'db_table': 'subscriptions_meterperiod',
                        'ordering': ('-month',),
                    },
                ),
                migrations.CreateModel(
                    name='MeterRead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('read_at', models.DateTimeField(verbose_name='read at')),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='magazine.article', verbose_name='article')),
                        ('period', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reads', to='paywall.meterperiod', verbose_name='month')),
                    ],
                    options={
                        'verbose_name': 'metered read',
                        'verbose_name_plural': 'metered reads',
                        'db_table': 'subscriptions_meterread',
                        'ordering': ('read_at',),
                    },
                ),
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=150, verbose_name='name')),
                        ('seats', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='seats')),
                        ('starts_on', models.DateField(verbose_name='valid from')),
                        ('ends_on', models.DateField(verbose_name='valid until (inclusive)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('admin_contact', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='administered_organisations', to=settings.AUTH_USER_MODEL, verbose_name='admin contact')),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'verbose_name_plural': 'organisations',
                        'db_table': 'subscriptions_organisation',
                        'ordering': ('name',),
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationDomain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('domain', models.CharField(help_text='Readers with a verified address on this domain (or a subdomain) take a seat.', max_length=253, unique=True, validators=[core.validators.validate_domain], verbose_name='verified email domain')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='domains', to='paywall.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'email domain',
                        'verbose_name_plural': 'email domains',
                        'db_table': 'subscriptions_organisationdomain',
                        'ordering': ('domain',),
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationIPRange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cidr', models.CharField(help_text='CIDR notation, e.g. 192.0.2.0/24 or 2001:db8::/32; a single address works.', max_length=49, validators=[core.validators.validate_cidr], verbose_name='IP range')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ip_ranges', to='paywall.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'IP range',
                        'verbose_name_plural': 'IP ranges',
                        'db_table': 'subscriptions_organisationiprange',
                        'ordering': ('cidr',),
                    },
                ),
                migrations.CreateModel(
                    name='Seat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('claimed_at', models.DateTimeField(auto_now_add=True, verbose_name='taken at')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='seat_set', to='paywall.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='licence_seats', to=settings.AUTH_USER_MODEL, verbose_name='member')),
                    ],
                    options={
                        'verbose_name': 'seat',
                        'verbose_name_plural': 'seats',
                        'db_table': 'subscriptions_seat',
                        'ordering': ('claimed_at',),
                    },
                ),
                migrations.CreateModel(
                    name='ComplimentaryAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.CharField(max_length=200, verbose_name='reason')),
                        ('offered_by', models.CharField(blank=True, help_text="Leave empty to show the magazine's name: “Offered by …”.", max_length=120, verbose_name='offered by (shown to the reader)')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(verbose_name='ends at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('granted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complimentary_accesses', to=settings.AUTH_USER_MODEL, verbose_name='reader')),
                    ],
                    options={
                        'verbose_name': 'complimentary access',
                        'verbose_name_plural': 'complimentary accesses',
                        'db_table': 'subscriptions_complimentaryaccess',
                        'ordering': ('-starts_at',),
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='complimentary_ends_after_start')],
                    },
                ),
                migrations.CreateModel(
                    name='GiftLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, verbose_name='created at')),
                        ('expires_at', models.DateTimeField(verbose_name='expires at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gift_links', to='magazine.article', verbose_name='article')),
                        ('sender', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gift_links', to=settings.AUTH_USER_MODEL, verbose_name='sender')),
                    ],
                    options={
                        'verbose_name': 'gift link',
                        'verbose_name_plural': 'gift links',
                        'db_table': 'subscriptions_giftlink',
                        'ordering': ('-created_at',),
                        'indexes': [models.Index(fields=['sender', 'created_at'], name='subscriptio_sender__3b94dd_idx')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='meterperiod',
                    constraint=models.UniqueConstraint(fields=('user', 'month'), name='unique_meter_per_user_month'),
                ),
                migrations.AddConstraint(
                    model_name='meterread',
                    constraint=models.UniqueConstraint(fields=('period', 'article'), name='unique_meter_read'),
                ),
                migrations.AddConstraint(
                    model_name='organisationiprange',
                    constraint=models.UniqueConstraint(fields=('organisation', 'cidr'), name='unique_org_ip_range'),
                ),
                migrations.AddConstraint(
                    model_name='seat',
                    constraint=models.UniqueConstraint(fields=('organisation', 'user'), name='unique_seat_per_member'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
