"""The statutory-duty catalogue (lovpålagte oppgaver) that offers can fulfil."""
