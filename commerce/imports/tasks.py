from celery import shared_task

from .engine import catalog_search_index
from .services import catalog_import_execute


@shared_task(acks_late=True)
def catalog_import_run(import_id: int) -> str:
    return catalog_import_execute(import_id=import_id).status


@shared_task
def catalog_search_index_task(product_ids: list[int]) -> int:
    catalog_search_index(product_ids=product_ids)
    return len(product_ids)
