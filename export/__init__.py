"""The board pack: data gathered for a month, charts rendered to PNG, a PowerPoint deck and an Excel workbook."""
