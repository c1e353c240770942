from celery import shared_task

from .services import catalog_import_execute


@shared_task(acks_late=True)
def catalog_import_run(import_id: int) -> str:
    return catalog_import_execute(import_id=import_id).status
