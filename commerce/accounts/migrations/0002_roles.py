"""Staff roles as Wagtail groups (see commerce/accounts/roles.py; `manage.py sync_roles` re-applies them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from commerce.accounts.roles import roles_sync

    # permissions are normally created after the whole migrate run (post_migrate); the roles need them now
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Wagtail adds publish_<model> for snippets with DraftStateMixin (banners, products) the same
    # way, after migrate; it writes only ContentType and Permission rows, which are stable models.
    from django.apps import apps as global_apps
    from wagtail.snippets.models import create_extra_permissions

    create_extra_permissions(global_apps.get_app_config("wagtailsnippets"), using=schema_editor.connection.alias)
    roles_sync(apps=apps)


def remove_roles(apps, schema_editor):
    from commerce.accounts.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=[role.name for role in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0001_initial"),
        ("orders", "0001_initial"),
        ("promotions", "0001_initial"),
        ("reviews", "0001_initial"),
        ("cms_pages", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
