"""The internal app's page plumbing: page blueprints, form fields, readable messages.

Every page of the internal app (the old "NU Plan") is server-rendered, works without
JavaScript and speaks bokmål, nynorsk or English. Features keep their own page views; what they
share - how a form is described, read and shown with its field-level errors - lives here.
"""
