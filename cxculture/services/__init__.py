"""Use cases over the database, one package per area, mirroring ``cxculture.models``; each
entry point owns its transaction. Callers import a package (and the parts it offers by name),
never its internal modules:

- ``accounts``: logging in, sessions, passwords, the first HR admin; ``accounts.tokens`` (API);
- ``audit``: the append-only trail of what HR and heads do;
- ``mail``: queueing email with a change, and delivery after the commit;
- ``org``: the department tree; ``org.people``, ``org.leavers``, ``org.roster``, ``org.sync``,
  ``org.erasure``, ``org.reach`` (who may see what);
- ``surveys``: the lifecycle; ``surveys.questionnaires``, ``surveys.responses``,
  ``surveys.retention``;
- ``training``: the catalogue and taking modules; ``training.assignments``;
- ``results``: ``results.dashboards``, composed from what the release layer released.

Everything derived from survey answers is read through ``cxculture.disclosure``, never here.
"""
