"""The indicator catalogue, its data sources and the disclosure rules every funder- or partner-facing aggregate goes through."""
