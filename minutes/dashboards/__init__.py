"""Dashboards for managers and chairs: what is overdue, what is outstanding, and the figures
a safeguarding partnership audits. Reads only: nothing here changes a record."""
