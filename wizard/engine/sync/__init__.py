"""Synchronization between the local mailbox and the synchronizing organization.

``engine`` holds the algorithm, ``status`` the status database, ``mapping`` the field
tables and directions, ``filters`` the sync/offline filters, ``conflicts`` the conflict
rules, ``orgside`` the org interface (in-memory implementation) and ``webapi`` the
Dataverse implementation on ``DataverseClient.request()``.
"""
