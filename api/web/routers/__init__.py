"""The page routes: each reads through the store interface and renders one template."""
