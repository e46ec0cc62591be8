"""A small dataset with known coverage answers, inserted directly through the models.

Default required roles: Gardien, Bailleur, Société de nettoyage. Expected coverage:

| habitat | landlord | area | Gardien | Bailleur | Société de nettoyage |
| --- | --- | --- | --- | --- | --- |
| Acacias | Paris Habitat | Paris 12e | DUPONT Jean | Paris Habitat | 2 contacts |
| Bleuets | Paris Habitat | Paris 19e | gap (link ends today) | Paris Habitat | gap |
| Cèdres | RIVP | Paris 12e | PETIT Marie (contact simple) | gap | gap (link ended) |
| Dahlias | none | Gap | gap (role Divers) | gap (archived simple) | gap |
| Érables (archived) | RIVP | Paris 16e | not counted | | |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from trackoe.models import Contact, ContactLink, Habitat
from trackoe.records import refresh_contact_keys, refresh_habitat_keys

FORMULA_COMPANY = "=SOMME(A1)"
FOREIGN_PHONE_E164 = "+442079460958"
FOREIGN_PHONE_TEXT = "+44 20 7946 0958"


@dataclass(frozen=True)
class CoverageIds:
    habitats: dict[str, int]
    contacts: dict[str, int]


def _habitat(session: Session, code: str, name: str, landlord: str | None, postcode: str, city: str,
             dwellings: int | None, coordinates: tuple[float, float] | None, archived: bool = False) -> int:
    habitat = Habitat(
        code=code, name=name, address_line=f"1 rue des {name}", postcode=postcode, city=city,
        landlord_name=landlord, dwelling_count=dwellings,
        latitude=coordinates[0] if coordinates else None, longitude=coordinates[1] if coordinates else None,
        archived_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) if archived else None,
    )
    refresh_habitat_keys(habitat)
    session.add(habitat)
    session.flush()
    return habitat.id


def _contact(session: Session, contact_type: str, *, last_name: str | None = None, first_name: str | None = None,
             company_name: str | None = None, habitat_id: int | None = None, archived: bool = False,
             phone_mobile: str | None = None) -> int:
    contact = Contact(
        is_multiple=habitat_id is None, habitat_id=habitat_id, contact_type=contact_type,
        last_name=last_name, first_name=first_name, company_name=company_name, phone_mobile=phone_mobile,
        archived_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) if archived else None,
    )
    refresh_contact_keys(contact)
    session.add(contact)
    session.flush()
    return contact.id


def _link(session: Session, contact_id: int, habitat_id: int, role: str, *, end: dt.date | None = None,
          primary: bool = False) -> None:
    session.add(
        ContactLink(contact_id=contact_id, habitat_id=habitat_id, role=role, is_primary=primary,
                    start_date=dt.date(2020, 1, 1), end_date=end)
    )


def seed_coverage(sessions: sessionmaker[Session], today: dt.date | None = None) -> CoverageIds:
    """Insert the dataset of the module's table and return the ids by short name."""
    today = today or dt.date.today()
    with sessions.begin() as session:
        h = {
            "acacias": _habitat(session, "ACA", "Acacias", "Paris Habitat", "75012", "Paris", 40, (48.84, 2.39)),
            "bleuets": _habitat(session, "BLE", "Bleuets", "Paris Habitat", "75019", "Paris", 20, (48.88, 2.38)),
            "cedres": _habitat(session, "CED", "Cèdres", "RIVP", "75012", "Paris", 10, None),
            "dahlias": _habitat(session, "DAH", "Dahlias", None, "05000", "Gap", None, (44.56, 6.08)),
            "erables": _habitat(session, "ERA", "Érables", "RIVP", "75116", "Paris", 30, (48.86, 2.28), archived=True),
        }
        c = {
            "dupont": _contact(session, "gardien", last_name="Dupont", first_name="Jean"),
            "paris_habitat": _contact(session, "bailleur", company_name="Paris Habitat"),
            "net_plus": _contact(session, "societe_nettoyage", company_name="Net Plus"),
            "proprete": _contact(session, "societe_nettoyage", company_name="Propreté Express"),
            "martin": _contact(session, "gardien", last_name="Martin", first_name="Paul", archived=True),
            "formula": _contact(session, "entreprise", company_name=FORMULA_COMPANY, phone_mobile=FOREIGN_PHONE_E164),
            "syndic": _contact(session, "syndic", company_name="Syndic Lefèvre"),
            "bernard": _contact(session, "gardien", last_name="Bernard", first_name="Luc"),
            "petit": _contact(session, "gardien", last_name="Petit", first_name="Marie", habitat_id=h["cedres"]),
            "resident": _contact(session, "habitant", last_name="Roux", first_name="Léa", habitat_id=h["bleuets"]),
            "old_landlord": _contact(session, "bailleur", company_name="Ancien Bailleur", habitat_id=h["dahlias"], archived=True),
        }
        _link(session, c["dupont"], h["acacias"], "Gardien")
        _link(session, c["dupont"], h["bleuets"], "Gardien", end=today)
        _link(session, c["paris_habitat"], h["acacias"], "Bailleur")
        _link(session, c["paris_habitat"], h["bleuets"], "Bailleur")
        _link(session, c["paris_habitat"], h["erables"], "Bailleur")
        _link(session, c["net_plus"], h["acacias"], "Société de nettoyage", end=today + dt.timedelta(days=30))
        _link(session, c["net_plus"], h["cedres"], "Société de nettoyage", end=today - dt.timedelta(days=1), primary=True)
        _link(session, c["proprete"], h["acacias"], "Société de nettoyage")
        _link(session, c["martin"], h["cedres"], "Gardien")
        _link(session, c["bernard"], h["dahlias"], "Divers")
    return CoverageIds(h, c)
