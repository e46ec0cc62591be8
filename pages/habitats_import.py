"""Importer des habitats: upload a CSV file, read its row-by-row report, then import the valid rows."""

import hashlib

import pandas as pd
import streamlit as st

from trackoe.importer import HABITAT_COLUMNS, ImportReport
from trackoe.limits import IMPORT_FILE_MAX_MEGABYTES, IMPORT_MAX_ROWS
from trackoe.permissions import DENIED_MESSAGES, Permission, is_allowed
from trackoe.services import habitat_import
from trackoe.ui.auth import current_actor
from trackoe.ui.context import app_context
from trackoe.ui.errors import run_action
from trackoe.ui.text import md, plural

# Report lines sent to the browser; the rest are counted, so a 50,000-row report stays small.
MAX_SHOWN_PROBLEMS = 2_000
# The check of the last uploaded file, keyed by its SHA-256, so a rerun does not parse it again.
CHECK_KEY = "habitats_import_check"
# 50000 written the French way, with a narrow no-break space between thousands.
MAX_ROWS_TEXT = f"{IMPORT_MAX_ROWS:,}".replace(",", "\u202f")

context = app_context()
actor = current_actor()

st.title("Importer des habitats")

if not is_allowed(actor, Permission.WRITE_RECORDS):
    st.warning(DENIED_MESSAGES[Permission.WRITE_RECORDS])
    st.stop()

st.markdown(
    md(
        "Fichier CSV, colonnes séparées par « ; » ou « , », encodé en UTF-8 (ou Windows-1252), "
        f"de {IMPORT_FILE_MAX_MEGABYTES} Mo et {MAX_ROWS_TEXT} lignes au plus. "
        f"Colonnes : {', '.join(HABITAT_COLUMNS)} ; seules « code » et « nom » sont obligatoires. "
        "Le fichier est d'abord vérifié ligne par ligne : rien n'est enregistré avant que vous ne le demandiez."
    )
)

uploaded = st.file_uploader(
    "Fichier CSV des habitats",
    type=["csv", "txt"],
    key="habitats_import_file",
    max_upload_size=IMPORT_FILE_MAX_MEGABYTES,
)
if uploaded is None:
    st.session_state.pop(CHECK_KEY, None)
    st.stop()

data = uploaded.getvalue()
digest = hashlib.sha256(data).hexdigest()
checked = st.session_state.get(CHECK_KEY)
if checked is None or checked[0] != digest:
    report = run_action(
        lambda: habitat_import.check_habitats_file(context.sessions, actor, data),
        context="habitats_import.check",
    )
    if report is None:
        st.stop()
    st.session_state[CHECK_KEY] = (digest, report)
else:
    report = checked[1]


def problem_frame(report: ImportReport) -> pd.DataFrame:
    """Return the report's problems as the table shows them, French column names included."""
    rows = [
        {
            "Ligne": problem.line,
            "Colonne": problem.column or "",
            "Type": "Erreur" if problem.is_error else "Avertissement",
            "Message": problem.message,
        }
        for problem in report.problems()[:MAX_SHOWN_PROBLEMS]
    ]
    return pd.DataFrame(rows, columns=["Ligne", "Colonne", "Type", "Message"])


rejected_rows = len({line for line, _message in report.errors})
st.markdown(
    f"{plural(report.rows_read, 'ligne lue', 'lignes lues')} : "
    f"{plural(report.rows_valid, 'valide', 'valides')}, {rejected_rows} en erreur."
    if not report.rejected
    else "Le fichier ne peut pas être importé tel quel : corrigez les erreurs ci-dessous, puis déposez-le de nouveau."
)

problems = report.problems()
if problems:
    # st.dataframe shows cells as plain text, so quoted values never render as HTML or Markdown.
    st.dataframe(problem_frame(report), hide_index=True, width="stretch")
    if len(problems) > MAX_SHOWN_PROBLEMS:
        st.caption(f"… et {len(problems) - MAX_SHOWN_PROBLEMS} autres lignes du rapport.")

if report.rejected or report.rows_valid == 0:
    st.stop()

if report.errors:
    st.info(
        f"Les {rejected_rows} lignes en erreur ne seront pas importées. Corrigez-les dans le fichier "
        "pour les importer aussi, ou importez dès maintenant les lignes valides."
        if rejected_rows > 1
        else "La ligne en erreur ne sera pas importée. Corrigez-la dans le fichier pour l'importer "
        "aussi, ou importez dès maintenant les lignes valides."
    )

label = "Importer la ligne valide" if report.rows_valid == 1 else f"Importer les {report.rows_valid} lignes valides"
if st.button(label, type="primary", key="habitats_import_button"):
    result = run_action(
        lambda: habitat_import.import_habitats_file(
            context.sessions, actor, data, valid_rows_only=bool(report.errors)
        ),
        context="habitats_import.import",
    )
    if result is not None:
        st.success(
            f"Import terminé : {plural(result.habitats_created, 'habitat créé', 'habitats créés')}, "
            f"{plural(result.habitats_updated, 'mis à jour', 'mis à jour')}, "
            f"{plural(result.habitats_unchanged, 'inchangé', 'inchangés')} ; "
            f"{plural(result.landlords_created, 'bailleur créé', 'bailleurs créés')} ; "
            f"{plural(result.links_created, 'rattachement créé', 'rattachements créés')}, "
            f"{plural(result.links_ended, 'terminé', 'terminés')}."
        )
