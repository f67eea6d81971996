"""Educators: the people of the directory, and the pipeline facts hr holds about them."""
