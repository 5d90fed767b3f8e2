"""Node administration in the browser: member organisations, the node's users and the
statutory-duty catalogue, for node administrators."""
