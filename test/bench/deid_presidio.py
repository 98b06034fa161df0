"""Presidio's pattern recognizers as the de-identification benchmark's peer (issue #15 point 3).

Reads JSON from stdin: [{"id": str, "text": str}, ...]; writes JSON to stdout:
{"version": str, "recognizers": [...], "results": {id: [{"entity", "start", "end", "score"}]}}.
No spaCy model and no NLP engine: each recognizer is instantiated directly and called with
nlp_artifacts=None (so no context-word boosting). Nothing may reach the network: sockets are
disabled before Presidio is imported, and tldextract (the e-mail recognizer's validator) runs from
its bundled suffix-list snapshot with no URLs to fetch and no cache. Run with .venv/bin/python.
"""

import json
import socket
import sys
from importlib.metadata import version


def _no_network(*_args, **_kwargs):
    raise OSError("the Presidio benchmark peer must not use the network")


socket.socket.connect = _no_network  # type: ignore[method-assign]
socket.create_connection = _no_network  # type: ignore[assignment]

import tldextract  # noqa: E402

_offline = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
tldextract.extract = _offline  # the e-mail recognizer calls tldextract.extract(...)

from presidio_analyzer import EntityRecognizer  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    DateRecognizer,
    EmailRecognizer,
    IpRecognizer,
    MedicalLicenseRecognizer,
    PhoneRecognizer,
    UrlRecognizer,
    UsHealthInsuranceMemberIdRecognizer,
    UsMbiRecognizer,
    UsSsnRecognizer,
)

RECOGNIZERS = [
    PhoneRecognizer(),
    EmailRecognizer(),
    UrlRecognizer(),
    IpRecognizer(),
    DateRecognizer(),
    UsSsnRecognizer(),
    UsHealthInsuranceMemberIdRecognizer(),
    UsMbiRecognizer(),
    MedicalLicenseRecognizer(),
]


def analyze(text: str):
    results = []
    for rec in RECOGNIZERS:
        results.extend(rec.analyze(text, rec.supported_entities, nlp_artifacts=None) or [])
    # What AnalyzerEngine does with them: drop same-entity duplicates contained in a better one.
    results = EntityRecognizer.remove_duplicates(results)
    return [
        {"entity": r.entity_type, "start": r.start, "end": r.end, "score": round(r.score, 3)}
        for r in sorted(results, key=lambda r: (r.start, r.end))
    ]


def main() -> None:
    records = json.load(sys.stdin)
    out = {
        "version": version("presidio-analyzer"),
        "recognizers": [type(r).__name__ for r in RECOGNIZERS],
        "results": {rec["id"]: analyze(rec["text"]) for rec in records},
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
