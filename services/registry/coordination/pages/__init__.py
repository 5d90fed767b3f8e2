"""The coordination group's workspace pages: the overview, mandate and steps, and its items."""
