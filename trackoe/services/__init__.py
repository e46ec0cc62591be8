"""Use cases: each public function owns one short transaction and returns plain views."""
