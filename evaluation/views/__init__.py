"""One blueprint per role's work: auth, home, member, cell, committee, orgs (leaders), admin."""
