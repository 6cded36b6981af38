"""The records people edit on the pages: targets, RAG rules, commentary, notes, rebases, inspections and the plan."""
