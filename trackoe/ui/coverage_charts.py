"""Altair charts and map of the coverage dashboard, drawn from the services' counts (nothing is counted here)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from trackoe.coverage_views import Charts, MapPoint

# The map draws one point per habitat: 20,000 at production size, above Altair's default limit.
alt.data_transformers.disable_max_rows()

MAX_GROUPS_SHOWN = 25


def show_contacts_by_type(charts: Charts) -> None:
    frame = pd.DataFrame(
        [{"Type de contact": bar.label, "Sorte": bar.series, "Contacts": bar.count} for bar in charts.contacts_by_type],
        columns=["Type de contact", "Sorte", "Contacts"],
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("sum(Contacts):Q", title="Contacts"),
            y=alt.Y("Type de contact:N", sort="-x", title=None),
            color=alt.Color("Sorte:N", title=None),
            tooltip=["Type de contact", "Sorte", "Contacts"],
        )
    )
    st.altair_chart(chart, width="stretch")


def show_habitats_by_contact_count(charts: Charts) -> None:
    order = [bar.label for bar in charts.habitats_by_contact_count]
    frame = pd.DataFrame(
        [{"Contacts en cours": bar.label, "Habitats": bar.count} for bar in charts.habitats_by_contact_count],
        columns=["Contacts en cours", "Habitats"],
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Contacts en cours:N", sort=order, title="Nombre de contacts en cours"),
            y=alt.Y("Habitats:Q"),
            tooltip=["Contacts en cours", "Habitats"],
        )
    )
    st.altair_chart(chart, width="stretch")


def show_coverage_by_group(charts: Charts, group_title: str) -> None:
    groups = list(dict.fromkeys(row.group for row in charts.coverage_by_group))
    shown = set(groups[:MAX_GROUPS_SHOWN])
    if len(groups) > MAX_GROUPS_SHOWN:
        st.caption(f"Les {MAX_GROUPS_SHOWN} groupes qui comptent le plus d'habitats, sur {len(groups)}.")
    frame = pd.DataFrame(
        [
            {
                group_title: row.group,
                "Rôle": row.role,
                "Couverture": row.share,
                "Habitats couverts": row.covered,
                "Habitats": row.habitats,
            }
            for row in charts.coverage_by_group
            if row.group in shown
        ],
        columns=[group_title, "Rôle", "Couverture", "Habitats couverts", "Habitats"],
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Couverture:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(f"{group_title}:N", sort=groups[:MAX_GROUPS_SHOWN], title=None),
            yOffset="Rôle:N",
            color="Rôle:N",
            tooltip=[group_title, "Rôle", alt.Tooltip("Couverture:Q", format=".0%"), "Habitats couverts", "Habitats"],
        )
    )
    st.altair_chart(chart, width="stretch")


def show_map(points: list[MapPoint]) -> None:
    """Draw the habitats on their coordinates, coloured by coverage; no background tiles are needed."""
    if not points:
        st.info("Aucun habitat filtré ne porte de coordonnées.")
        return
    frame = pd.DataFrame(
        [
            {"Code": p.code, "Habitat": p.name, "latitude": p.latitude, "longitude": p.longitude, "Couverture": p.coverage}
            for p in points
        ],
        columns=["Code", "Habitat", "latitude", "longitude", "Couverture"],
    )
    order = sorted(frame["Couverture"].unique(), key=lambda text: int(text.split("/")[0]))
    chart = (
        alt.Chart(frame)
        .mark_circle(size=40, opacity=0.8)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            color=alt.Color("Couverture:N", sort=order, scale=alt.Scale(scheme="redyellowgreen")),
            tooltip=["Code", "Habitat", "Couverture"],
        )
        .project(type="mercator")
        .properties(height=520)
    )
    st.altair_chart(chart, width="stretch")
