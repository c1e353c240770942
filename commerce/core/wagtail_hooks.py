from wagtail import hooks

from .audit import audit_actions_register


@hooks.register("register_log_actions")
def register_cartwheel_log_actions(actions):
    audit_actions_register(actions)
