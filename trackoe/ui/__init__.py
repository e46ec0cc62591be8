"""Streamlit helpers shared by the pages: context, errors, grids and forms."""
