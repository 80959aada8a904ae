"""The pages: one blueprint per role's work (member, cell, committee, rating, collective, orgs for leaders,
admin), plus auth, two_factor, home and notices. The shared view plumbing is split by job: `running`
(commit once or roll back), `guards` (load-or-abort, role checks), `written` (saving a self-review) and
`deciding` (a committee's decision forms). Views hold no SQL: they call operations and queries below them."""
