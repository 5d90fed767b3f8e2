"""The coordination group's workspace: members, mandate, the six steps, plans and projects,
minutes, progress plan, yearly cycle and the assessment of the pyramid and gaps."""
