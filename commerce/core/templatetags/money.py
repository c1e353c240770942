from django import template

from commerce.core.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount):
    """`{{ price|money }}` -> "$1,500.00" in the shop's currency and locale."""
    if amount is None or amount == "":
        return ""
    return format_money(amount)
