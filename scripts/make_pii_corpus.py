"""Generate data/pii_corpus.jsonl: free-text records with character-span PII labels, for lesson 08.

Nobody in it exists. 32 templates (clinic notes, e-mails, tickets, chat lines, invoices, HR records) are filled with
values drawn from a seeded NumPy generator: names from short lists, valid-checksum credit-card numbers (Luhn) and
IBANs (ISO 13616 mod 97), US SSNs in the valid ranges, US and international phone numbers, dates in several formats,
ZIP codes, IPv4 addresses and internal employee IDs (EMP-12345). A hand-written set of hard cases follows
(context-dependent PII, lower-case names, international phone formats, identifiers split by a line break, numbers
that look like SSNs but are not). Each line: {"id", "source", "text", "spans": [[start, end, entity], ...]}.
Re-running this script reproduces the file byte for byte (``tests/test_pii.py`` checks).

    .venv/bin/python scripts/make_pii_corpus.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

SEED = 20261203
RECORDS_PER_TEMPLATE = 6
OUT = Path(__file__).resolve().parents[1] / "data" / "pii_corpus.jsonl"

FIRST = ["Maria", "James", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "John", "Priya", "Lukas", "Emma", "Kenji",
         "Sofia", "David", "Amara", "Noah", "Ingrid", "Omar", "Chloe", "Ravi"]
LAST = ["Garcia", "Smith", "Okafor", "Zhang", "Ivanova", "Mendes", "Haddad", "Miller", "Sharma", "Becker", "Dubois",
        "Tanaka", "Rossi", "Cohen", "Nwosu", "Brown", "Larsen", "Khan", "Martin", "Patel"]
DOMAINS = ["example.com", "mail.org", "clinic.net", "uni-hospital.de", "post.co.uk"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ZIPS = ["02139", "02141", "10024", "60640", "94110", "30309", "73301", "98101"]

TEMPLATES = [
    "Patient {PERSON} (DOB {DATE_TIME}) was seen today. Contact: {PHONE_NUMBER}.",
    "Please e-mail the lab results to {EMAIL_ADDRESS} before {DATE_TIME}.",
    "SSN on file: {US_SSN}. Verify with the patient at the next visit.",
    "Card ending in the number {CREDIT_CARD} was charged for the co-pay.",
    "Employee {EMPLOYEE_ID} reset the password for {EMAIL_ADDRESS}.",
    "Login from {IP_ADDRESS} for user {EMPLOYEE_ID} at 09:14.",
    "Refund to IBAN {IBAN_CODE}, account holder {PERSON}.",
    "{PERSON} moved to ZIP {US_ZIP}; update the mailing list.",
    "Call {PERSON} back on {PHONE_NUMBER} about the appointment on {DATE_TIME}.",
    "Ticket opened by {EMPLOYEE_ID}: printer offline on floor 3.",
    "Hi team, {PERSON} ({EMAIL_ADDRESS}) will cover the night shift.",
    "Insurance claim for SSN {US_SSN}, date of service {DATE_TIME}.",
    "Payment declined: card {CREDIT_CARD}, billing ZIP {US_ZIP}.",
    "Suspicious traffic from {IP_ADDRESS} blocked by the firewall.",
    "Discharge summary: {PERSON}, admitted {DATE_TIME}, follow-up in two weeks.",
    "Wire the deposit to {IBAN_CODE} by {DATE_TIME}.",
    "Referral letter for {PERSON}, born {DATE_TIME}, ZIP code {US_ZIP}.",
    "Reach me at {PHONE_NUMBER} or {EMAIL_ADDRESS}.",
    "HR record {EMPLOYEE_ID}: {PERSON}, start date {DATE_TIME}.",
    "VPN session for {EMPLOYEE_ID} from {IP_ADDRESS} ended.",
    "The pharmacy called {PHONE_NUMBER} to confirm the refill for {PERSON}.",
    "Tax form attached; SSN {US_SSN}; employee {EMPLOYEE_ID}.",
    "Invoice paid by credit card {CREDIT_CARD} on {DATE_TIME}.",
    "Forwarding the scan to {EMAIL_ADDRESS} as requested.",
    "Chat: hey it's {PERSON}, my number changed to {PHONE_NUMBER}",
    "Shipping to ZIP {US_ZIP}, recipient {PERSON}.",
    "Audit: {EMPLOYEE_ID} exported records on {DATE_TIME} from {IP_ADDRESS}.",
    "Direct debit mandate: IBAN {IBAN_CODE}, signed {DATE_TIME}.",
    "Next of kin: {PERSON}, phone {PHONE_NUMBER}.",
    "Verification failed for SSN {US_SSN}; please call {PHONE_NUMBER}.",
    "Newsletter unsubscribe request from {EMAIL_ADDRESS}.",
    "Badge {EMPLOYEE_ID} used at the lab door; visitor {PERSON} signed in.",
]

HARD_CASES = [  # (text, [(substring, entity), ...]): each substring labelled at its first occurrence
    ("the tall man in apartment 4B complained about the noise again", [("apartment 4B", "LOCATION")]),
    ("my neighbour, the only dentist on Elm Street, saw the accident", [("Elm Street", "LOCATION")]),
    ("spoke to maria garcia this morning about her results", [("maria garcia", "PERSON")]),
    ("forward this to john smith please", [("john smith", "PERSON")]),
    ("UK office: +44 20 7946 0958, ask for the duty nurse", [("+44 20 7946 0958", "PHONE_NUMBER")]),
    ("Berlin desk +49 30 901820 is open until six", [("+49 30 901820", "PHONE_NUMBER")]),
    ("Paris: +33 1 42 68 53 00 (reception)", [("+33 1 42 68 53 00", "PHONE_NUMBER")]),
    ("Mumbai clinic +91 22 2778 0000 confirmed", [("+91 22 2778 0000", "PHONE_NUMBER")]),
    ("SSN 536-22-\n8137 was typed across two lines", [("536-22-\n8137", "US_SSN")]),
    ("card 4556 7375\n8689 9855 split by the form", [("4556 7375\n8689 9855", "CREDIT_CARD")]),
    ("e-mail: priya.sharma@\nclinic.net (wrapped)", [("priya.sharma@\nclinic.net", "EMAIL_ADDRESS")]),
    ("order number 123-45-6789 shipped today", []),
    ("part no. 000-12-3456 is back in stock", []),
    ("lot 666-45-1234 recalled by the supplier", []),
    ("room 212-555-0199 is not a phone, it is a code", []),
    ("version 10.0.0.1 of the app is out", []),
    ("the patient from ZIP 02139 is the only one with this condition", [("02139", "US_ZIP")]),
    ("Dr. chen said the twins in bed 7 can go home", [("chen", "PERSON")]),
    ("ID emp-48213 in lower case still belongs to an employee", [("emp-48213", "EMPLOYEE_ID")]),
    ("employee number EMP 48213 written with a space", [("EMP 48213", "EMPLOYEE_ID")]),
]


def luhn_complete(digits: list[int]) -> list[int]:
    """Append the Luhn check digit."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return digits + [(10 - total % 10) % 10]


def iban(rng: np.random.Generator) -> str:
    """A German IBAN with a valid ISO 13616 check (mod 97), grouped by four."""
    bban = "".join(str(d) for d in rng.integers(0, 10, 18))
    numeric = int(bban + "131400")  # D=13, E=14, check digits 00
    check = 98 - numeric % 97
    raw = f"DE{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def value(entity: str, rng: np.random.Generator) -> str:
    """One random value of ``entity`` in one of several formats."""
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    if entity == "PERSON":
        return f"{pick(FIRST)} {pick(LAST)}"
    if entity == "EMAIL_ADDRESS":
        return f"{pick(FIRST).lower()}.{pick(LAST).lower()}@{pick(DOMAINS)}"
    if entity == "PHONE_NUMBER":
        area, mid, end = int(rng.integers(201, 990)), int(rng.integers(200, 999)), int(rng.integers(0, 10000))
        return pick([f"({area}) {mid}-{end:04d}", f"{area}-{mid}-{end:04d}", f"+1 {area} {mid} {end:04d}",
                     f"{area}.{mid}.{end:04d}"])
    if entity == "US_SSN":
        area, group, serial = int(rng.integers(1, 665)), int(rng.integers(1, 100)), int(rng.integers(1, 10000))
        return pick([f"{area:03d}-{group:02d}-{serial:04d}", f"{area:03d} {group:02d} {serial:04d}"])
    if entity == "CREDIT_CARD":
        digits = luhn_complete([4] + [int(d) for d in rng.integers(0, 10, 14)])
        text = "".join(map(str, digits))
        return pick([text, " ".join(text[i:i + 4] for i in range(0, 16, 4))])
    if entity == "DATE_TIME":
        year, month, day = int(rng.integers(1940, 2025)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        return pick([f"{year}-{month:02d}-{day:02d}", f"{month:02d}/{day:02d}/{year}",
                     f"{MONTHS[month - 1]} {day}, {year}", f"{day} {MONTHS[month - 1]} {year}"])
    if entity == "US_ZIP":
        return pick(ZIPS)
    if entity == "IP_ADDRESS":
        return ".".join(str(int(x)) for x in [rng.integers(11, 223), *rng.integers(0, 256, 3)])
    if entity == "IBAN_CODE":
        return iban(rng)
    if entity == "EMPLOYEE_ID":
        return f"EMP-{int(rng.integers(10000, 100000))}"
    raise ValueError(entity)


def fill(template: str, rng: np.random.Generator) -> tuple[str, list[list]]:
    """The template with its placeholders replaced, and the character span of each."""
    text, spans, position = "", [], 0
    for match in re.finditer(r"\{([A-Z_]+)\}", template):
        text += template[position:match.start()]
        filled = value(match.group(1), rng)
        spans.append([len(text), len(text) + len(filled), match.group(1)])
        text += filled
        position = match.end()
    return text + template[position:], spans


def make_corpus(seed: int = SEED) -> list[dict]:
    """Every record, templates first, then the hard cases."""
    rng = np.random.default_rng(seed)
    records = []
    for t, template in enumerate(TEMPLATES):
        for r in range(RECORDS_PER_TEMPLATE):
            text, spans = fill(template, rng)
            records.append({"id": f"t{t:02d}-{r}", "source": f"template {t}", "text": text, "spans": spans})
    for h, (text, labels) in enumerate(HARD_CASES):
        spans = [[text.index(s), text.index(s) + len(s), entity] for s, entity in labels]
        records.append({"id": f"hard-{h:02d}", "source": "hard case", "text": text, "spans": spans})
    return records


def corpus_text(seed: int = SEED) -> str:
    """The file's exact contents: one JSON object per line."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in make_corpus(seed))


if __name__ == "__main__":
    OUT.write_text(corpus_text(), encoding="utf-8")
    print(f"wrote {OUT} ({len(make_corpus())} records)")
