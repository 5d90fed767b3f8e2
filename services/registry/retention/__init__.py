"""Retention of personal data: what a removed member and deleted workspace entries leave
behind is erased after ``PERSONAL_DATA_RETENTION_DAYS`` (``nettungen registry retention``)."""
