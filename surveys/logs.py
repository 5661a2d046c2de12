"""Logging for the ``surveys`` loggers.

Messages such as "bot submission discarded" are INFO; without a handler Python would drop
them. A deployment that configures logging itself (a handler on the root logger) is left
alone. Log lines never carry answers, names, e-mail addresses or IP addresses.
"""

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app) -> None:
    logger = logging.getLogger("surveys")
    logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
