"""Leadership responsibilities (Teacher Leader Model Standards domains) and leadership-potential signals."""
