"""Loading the structured seed files into the database, every citation verified against its text."""
