"""Recruitment: postings, applications rated for leadership potential, hiring into the pipeline."""
