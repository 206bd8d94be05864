"""The partner directory: structures, agreements with the conseils départementaux, coverage of the départements, the network's standards and the referential lists."""
