"""Vocabulary of the domain: contact types, civilities and link roles, with their French labels."""

from __future__ import annotations

import enum


class ContactType(enum.StrEnum):
    """Type de contact; the value is stored, the label is shown."""

    HABITANT = "habitant"
    PROPRIETAIRE = "proprietaire"
    GARDIEN = "gardien"
    SYNDIC = "syndic"
    BAILLEUR = "bailleur"
    RESPONSABLE = "responsable"
    SOCIETE_NETTOYAGE = "societe_nettoyage"
    SALARIE = "salarie"
    DIVERS = "divers"
    TIERS_SOLIDAIRE = "tiers_solidaire"
    ENTREPRISE = "entreprise"
    SOCIETE = "societe"
    COLLECTIVITE = "collectivite"
    PROPRIETAIRE_PARTICULIER = "proprietaire_particulier"

    @property
    def label(self) -> str:
        return CONTACT_TYPE_LABELS[self]


CONTACT_TYPE_LABELS: dict[ContactType, str] = {
    ContactType.HABITANT: "Habitant",
    ContactType.PROPRIETAIRE: "Propriétaire",
    ContactType.GARDIEN: "Gardien",
    ContactType.SYNDIC: "Syndic",
    ContactType.BAILLEUR: "Bailleur",
    ContactType.RESPONSABLE: "Responsable",
    ContactType.SOCIETE_NETTOYAGE: "Société de nettoyage",
    ContactType.SALARIE: "Salarié",
    ContactType.DIVERS: "Divers",
    ContactType.TIERS_SOLIDAIRE: "Tiers solidaire / Conjoint / Co-locataire",
    ContactType.ENTREPRISE: "Entreprise",
    ContactType.SOCIETE: "Société",
    ContactType.COLLECTIVITE: "Collectivité",
    ContactType.PROPRIETAIRE_PARTICULIER: "Propriétaire - particulier",
}


class Civility(enum.StrEnum):
    """Civilité of a person."""

    MONSIEUR = "M."
    MADAME = "Mme"


# Roles a link may carry: the contact types, because a link records in which capacity the
# contact serves the habitat.
LINK_ROLES: tuple[str, ...] = tuple(CONTACT_TYPE_LABELS.values())

PREMISES_KINDS: tuple[str, ...] = (
    "Local poubelles",
    "Local vélos",
    "Loge du gardien",
    "Local technique",
    "Cave",
    "Parking",
)
