"""Each role's home page: what needs the user today."""
