"""Linked data: CPSV-AP-NO offer descriptions, SKOS vocabularies, the DCAT-AP-NO catalog."""
