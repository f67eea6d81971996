"""Professional learning: hours invested, counted by strategy."""
