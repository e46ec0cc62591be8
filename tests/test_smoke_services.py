"""A first end-to-end pass through the services on both databases."""

from trackoe.models import Habitat
from trackoe.records import refresh_habitat_keys
from trackoe.services import contacts, habitats, links
from trackoe.validation import ContactInput, validate_link
from trackoe.views import ContactFilters
from tests.actors import AGENT


def test_contact_created_linked_and_found(sessions):
    with sessions.begin() as session:
        habitat = Habitat(code="H1", name="Résidence Les Tilleuls", address_line="3 rue Victor Hugo", postcode="05000", city="Gap")
        refresh_habitat_keys(habitat)
        session.add(habitat)
    form = ContactInput(contact_type="gardien", last_name="Lefèvre", first_name="Anne", phone_mobile="06 12 34 56 78")

    created = contacts.create_contact(sessions, AGENT, form)
    links.add_link(sessions, AGENT, created.id, validate_link(habitat.id, "Gardien"))
    found = contacts.search_contacts(sessions, AGENT, ContactFilters(text="LEFEVRE"), 1, 50)
    by_phone = contacts.search_contacts(sessions, AGENT, ContactFilters(text="+33 6 12 34 56 78"), 1, 50)
    tab = habitats.habitat_contacts(sessions, AGENT, habitat.id)

    assert found.total == 1
    assert found.rows[0].linked_habitat_count == 1
    assert by_phone.total == 1
    assert [row.contact_id for row in tab] == [created.id]
