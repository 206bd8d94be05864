"""A child's path: requests, orientation proposals, placements, who may see a child, and the path indicators."""
