"""CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): the engine inside the EHR.

discovery.py describes the two services, fetch.py reads missing prefetch from the EHR's FHIR server, mapping.py turns
the EHR's FHIR data into a workup-case/1 document (through the lab import's mapping), cards.py and orders.py turn the
engine's recommendation into cards and suggested ServiceRequests, auth.py checks the client's signed JWT, views.py
serves /cds-services. Writes (cards issued, feedback, replayed token ids) live in workup.services.cds_hooks.
"""
