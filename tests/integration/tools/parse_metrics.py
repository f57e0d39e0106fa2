#!/usr/bin/python3
# Parses a Prometheus text exposition from stdin with Prometheus' own Python client (the
# parser its scrapers are tested against) and prints what it found as JSON:
#   {"families": {name: type}, "samples": [[name, {labels}, value], ...]}
# A document the parser rejects exits 1 with its error.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    families = {}
    samples = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        families[family.name] = family.type
        for s in family.samples:
            samples.append([s.name, s.labels, s.value])
except Exception as e:  # noqa: BLE001 - any parse failure is the answer
    print("parse error: %s" % e, file=sys.stderr)
    sys.exit(1)
print(json.dumps({"families": families, "samples": samples}))
