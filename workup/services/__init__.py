"""Writes with side effects: recording workups and results, issuing letters, the audit trail."""
