#!/usr/bin/env python3
"""Validates CycloneDX JSON files against the CycloneDX 1.5 JSON schema, strictly (no
property the schema does not define), with the CycloneDX project's own Python library
(cyclonedx-python-lib[json-validation]). Usage: cyclonedx-validate FILE... Exit 1 naming
the first error of each invalid file."""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

validator = JsonStrictValidator(SchemaVersion.V1_5)
bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        error = validator.validate_str(f.read())
    if error is not None:
        first = str(error).splitlines()[0]  # the rest is the whole schema
        print(f"{path}: not valid CycloneDX 1.5: {first}", file=sys.stderr)
        bad += 1
    else:
        print(f"{path}: valid CycloneDX 1.5")
sys.exit(1 if bad else 0)
