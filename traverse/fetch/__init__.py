"""Getting the data: the portal's download lists → the files the traverse needs, fetched robustly."""
