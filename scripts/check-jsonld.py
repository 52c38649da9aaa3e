#!/usr/bin/env python3
"""Reads replyby's schema.org JSON-LD on stdin and checks it with real processors, offline:
pyld expands it (the remote https://schema.org context is replaced by an inline one, so no
network is used), and every property and type it expands to, and every schema.org IRI used as a
value, must be a term that schema.org defines (rdflib's closed SDO namespace).
Prints "ok: N terms" or the problems, exit 1. Needs scripts/python-requirements.txt."""
import json
import sys

from pyld import jsonld
from rdflib.namespace import SDO

SCHEMA = "https://schema.org/"
doc = json.load(sys.stdin)
if doc.get("@context") != "https://schema.org":
    sys.exit(f'@context is {doc.get("@context")!r}, expected "https://schema.org"')
doc["@context"] = {"@vocab": SCHEMA}
expanded = jsonld.expand(doc)
if not expanded:
    sys.exit("expands to nothing")

terms, problems = set(), []


def walk(node):
    if isinstance(node, list):
        for n in node:
            walk(n)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                terms.update(value)
            elif key == "@value":
                if isinstance(value, str) and value.startswith(SCHEMA):
                    terms.add(value)
            elif not key.startswith("@"):
                terms.add(key)
                walk(value)
            else:
                walk(value)


walk(expanded)
for term in sorted(terms):
    if not term.startswith(SCHEMA):
        problems.append(f"{term}: not a schema.org term")
        continue
    # Membership, not getattr: the namespace answers any attribute (with a warning).
    if term not in SDO:
        problems.append(f"{term}: schema.org defines no such term")
# The triples too: a processor that turns it into RDF finds the ContactPoints.
nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
if f"<{SCHEMA}ContactPoint>" not in nquads:
    problems.append("no ContactPoint in the RDF")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(terms)} terms")
