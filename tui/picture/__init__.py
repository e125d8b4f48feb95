"""The terminal picture as plain data, free of Textual: node positions, boxes, what a level shows."""
