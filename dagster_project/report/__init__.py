"""The weekly pipeline review: a static HTML report built from the published marts."""
