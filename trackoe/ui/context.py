"""The process-wide application context, created once per Streamlit server."""

from __future__ import annotations

import logging

import streamlit as st

from trackoe.bootstrap import AppContext, open_application
from trackoe.config import load_settings

logger = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Ouverture de la base de données…")
def app_context() -> AppContext:
    """Return the context of this server process: settings, migrated database and session factory."""
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    context = open_application(settings)
    logger.info("Application ready on %s", context.engine.url.render_as_string(hide_password=True))
    return context
