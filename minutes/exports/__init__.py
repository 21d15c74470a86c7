"""Records leaving the service whole: one discussion as JSON, and the decisions feed as CSV
for the case-management system. The formats are published in docs/export.md."""
