"""Users, their roles in organisations, API tokens, login and the acting user."""
