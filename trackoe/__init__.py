"""TRACKOE contacts multiples: contacts linked to habitats, logements and locaux."""
