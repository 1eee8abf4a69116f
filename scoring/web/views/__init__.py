"""The app's views, one module per role (and `common` for what every signed-in user sees)."""
