"""Side effects that run after a commit can never change the answer of the request that committed.

The rule (docs: /work/shared/DESIGN.md, "When parts fail"):

- Money and stock FAIL CLOSED, before the commit: stock allocation, prices, coupon usage and the order
  rows are written in one transaction; if any of it fails, nothing is committed and the shopper is told.
- Everything after the commit FAILS OPEN: cache version bumps, task publishing (emails), webhooks. The
  order is already committed; an error here answered as a 500 would make a shopper pay twice. Such a
  callback is logged and swallowed, and each one has its own way to catch up: a missed cache bump is
  written again once Redis answers (commerce/catalog/cache.py, commerce/core/process_copy.py), an
  email whose task was not published stays `pending` for the resend job (commerce/notifications).

Register every after-commit side effect with `on_commit_fail_open`, not `transaction.on_commit`.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def on_commit_fail_open(func: Callable[[], object], *, what: str, using: str | None = None) -> None:
    """Run `func` after the current transaction commits (at once outside one); log and swallow errors."""

    def run() -> None:
        try:
            func()
        except Exception:
            logger.exception("after-commit side effect failed (%s); the committed write stands", what)

    transaction.on_commit(run, using=using)
