"""Fees into Clio: each fee line of a decided order recorded once as an expense on its matter."""
