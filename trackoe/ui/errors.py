"""The one place that turns failures into what the user reads: a French message, never a traceback."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from trackoe.errors import DatabaseUnavailableError, TrackoeError, ValidationError
from trackoe.ui.text import md

logger = logging.getLogger(__name__)

ResultT = TypeVar("ResultT")

GENERIC_MESSAGE = (
    "Une erreur inattendue est survenue (référence {reference}). Rien n'a été perdu de ce "
    "que vous avez saisi : réessayez, et si l'erreur persiste, transmettez cette référence "
    "au support."
)


def run_action(action: Callable[[], ResultT], *, context: str, field_errors_key: str | None = None) -> ResultT | None:
    """Run a service call and show its failure as a French message; return None when it failed.

    Validation errors go to `st.session_state[field_errors_key]` so the form can show each
    message beside its field; other expected errors show as `st.error`. Unexpected errors
    are logged with a reference that the message repeats.
    """
    try:
        return action()
    except ValidationError as error:
        logger.info("%s: invalid input in fields %s", context, sorted(error.field_errors))
        if field_errors_key is not None:
            st.session_state[field_errors_key] = error.field_errors
        st.error(md(error.message))
    except TrackoeError as error:
        logger.info("%s: %s", context, type(error).__name__)
        st.error(md(error.message))
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logger.exception("%s failed unexpectedly (reference %s)", context, reference)
        st.error(GENERIC_MESSAGE.format(reference=reference))
    return None


def run_read_keeping_last(action: Callable[[], ResultT], *, context: str, last_key: str) -> ResultT | None:
    """Run a read like `run_action` and keep its result under `last_key` in the session state.

    While the database is unreachable, return the result kept by an earlier run instead of
    None, so the page still draws its form and the values the user typed stay on screen.
    """
    unreachable = False

    def read() -> ResultT:
        nonlocal unreachable
        try:
            return action()
        except DatabaseUnavailableError:
            unreachable = True
            raise

    result = run_action(read, context=context)
    if result is not None:
        st.session_state[last_key] = result
    elif unreachable:
        result = st.session_state.get(last_key)
    return result


def show_field_error(field_errors: dict[str, str], field: str) -> None:
    """Show the French message of `field` under its widget, if it has one."""
    message = field_errors.get(field)
    if message:
        # Messages quote what the user typed, which must not render as Markdown.
        st.error(md(message), icon=":material/error:")
