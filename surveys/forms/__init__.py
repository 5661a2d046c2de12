"""Form definitions (one module per public form) and the engine that renders them."""

from .ili import ILI
from .survey import SURVEY
from .training_signup import signup_definition

__all__ = ["ILI", "SURVEY", "signup_definition"]
