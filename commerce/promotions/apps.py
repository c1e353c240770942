from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "commerce.promotions"
    label = "promotions"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import AutomaticPromotion
        from .selectors import automatic_promotions_changed

        # the per-process copy of the live automatic promotions (selectors.py) reloads after any change
        post_save.connect(automatic_promotions_changed, sender=AutomaticPromotion, dispatch_uid="automatic-promo-save")
        post_delete.connect(automatic_promotions_changed, sender=AutomaticPromotion,
                            dispatch_uid="automatic-promo-delete")
