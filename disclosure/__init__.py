"""Public disclosures: vacant posts, candidate profiles, open-affairs notices, revisions, objections."""
