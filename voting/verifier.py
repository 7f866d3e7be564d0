"""Check an exported election record:
python3 verifier.py DIR [--receipt CODE [--nonce NONCE]] [--commitment HASH].

One file, Python's standard library only, so anyone can read it whole and run it without the
site. It recomputes the ballot chain, the counts and the tally from record.json, and exits 0
when everything matches or 1 naming what does not. The tally here is written separately from
the site's (voting/tally.py) on purpose: two implementations that agree are evidence that both
count as the rules say. The site imports the hashing functions below, so that what it commits
to and what this file checks are defined once.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
from json.encoder import encode_basestring  # the string quoting that canonical() does
from pathlib import Path
from typing import Any

CHAIN_DOMAIN = b"grassroots-ballot-chain-v1\x00"


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def genesis(election_id: int) -> str:
    return sha256(f"genesis:{election_id}")


def commitment(receipt: str, ballot: dict[str, Any], nonce: str) -> str:
    """What the chain holds for a ballot: without the voter's nonce it reveals nothing."""
    return sha256(receipt + "\n" + canonical(ballot) + "\n" + nonce)


def link_hash(election_id: int, seq: int, prev: str, commit: str) -> str:
    return hashlib.sha256(CHAIN_DOMAIN + _link_text(election_id, seq, prev, commit).encode()).hexdigest()


def _link_text(election_id: Any, seq: Any, prev: Any, commit: Any) -> str:
    """canonical() of the link's fields, written out by hand when they have the types the site
    gives them (three times faster over a long chain), by canonical() itself otherwise."""
    if type(election_id) is int and type(seq) is int and type(prev) is str and type(commit) is str:
        return (
            f'{{"commitment":{encode_basestring(commit)},"election":{election_id},'
            f'"prev":{encode_basestring(prev)},"seq":{seq}}}'
        )
    return canonical({"election": election_id, "seq": seq, "prev": prev, "commitment": commit})


def ballots_hash(ballots: list[dict[str, Any]]) -> str:
    return sha256(canonical(ballots))


def audit_hash(content: dict[str, Any]) -> str:
    """The site's audit entry hash (grassroots.audit.hash_content)."""
    return sha256(_audit_text(content))


AUDIT_KEYS = frozenset(
    ["action", "actor", "actor_id", "at", "data", "organization_id", "prev", "seq", "subject"]
)


def _audit_text(content: dict[str, Any]) -> str:
    """canonical(content), written out by hand for an entry of the shape the site writes (twice
    as fast over a hundred thousand check-ins), by canonical() itself for any other."""
    subject, actor_id, organization_id = (
        content.get("subject"),
        content.get("actor_id"),
        content.get("organization_id"),
    )
    if (
        content.keys() != AUDIT_KEYS
        or type(content["seq"]) is not int
        or (actor_id is not None and type(actor_id) is not int)
        or (organization_id is not None and type(organization_id) is not int)
        or type(subject) is not list
        or len(subject) != 2
    ):
        return canonical(content)
    try:
        return (
            f'{{"action":{encode_basestring(content["action"])},"actor":{encode_basestring(content["actor"])},'
            f'"actor_id":{_number(actor_id)},"at":{encode_basestring(content["at"])},'
            f'"data":{"{}" if content["data"] == {} else canonical(content["data"])},'
            f'"organization_id":{_number(organization_id)},"prev":{encode_basestring(content["prev"])},'
            f'"seq":{content["seq"]},"subject":[{encode_basestring(subject[0])},{encode_basestring(subject[1])}]}}'
        )
    except TypeError:  # a string field that holds something else
        return canonical(content)


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


# ---------------------------------------------------------------- the checks


def check_chain(record: dict[str, Any]) -> list[str]:
    problems, prev = [], genesis(record["election"]["id"])
    for number, link in enumerate(record["chain"], start=1):
        if link["seq"] != number:
            problems.append(f"chain: entry {number} claims to be entry {link['seq']}")
        elif link["prev"] != prev:
            problems.append(f"chain: entry {number} does not follow the entry before it")
        elif link_hash(record["election"]["id"], number, prev, link["commitment"]) != link["hash"]:
            problems.append(f"chain: entry {number} does not match its hash")
        prev = link["hash"]
    if prev != record["chain_head"]:
        problems.append("chain: the head does not match the last entry")
    return problems


def check_ballots(record: dict[str, Any]) -> list[str]:
    problems = []
    if record["election"]["receipt_shows_ballot"]:
        receipts = [b["receipt"] for b in record["ballots"]]
        if receipts != sorted(receipts):
            problems.append("ballots: not sorted by receipt")
        if len(set(receipts)) != len(receipts):
            problems.append("ballots: a receipt appears twice")
    else:
        texts = [canonical(b["ballot"]) for b in record["ballots"]]
        if texts != sorted(texts) or any(set(b) != {"ballot"} for b in record["ballots"]):
            problems.append("ballots: not the ballots alone in the order of their text")
    if ballots_hash(record["ballots"]) != record["ballots_hash"]:
        problems.append("ballots: the list does not match its hash")
    counts = record["counts"]
    if len(record["ballots"]) != len(record["chain"]):
        problems.append("counts: the number of ballots differs from the number of chain entries")
    if len(record["ballots"]) != counts["ballots"]:
        problems.append("counts: the number of ballots differs from the count recorded")
    if counts["ballots"] > counts["voted"]:
        problems.append("counts: more ballots than voters: the election is void")
    return problems


def check_audit(record: dict[str, Any]) -> list[str]:
    problems, last_seq, closing = [], 0, None
    for entry in record["audit"]:
        content = entry["content"]
        if audit_hash(content) != entry["hash"]:
            problems.append(f"audit: entry {content['seq']} does not match its hash")
        if content["seq"] <= last_seq:
            problems.append(f"audit: entry {content['seq']} is out of order")
        last_seq = content["seq"]
        if content["action"] == "voting.election.close":
            closing = content["data"]
    if closing is None:
        return [*problems, "audit: the closing entry is missing"]
    expected = {
        "chain_head": record["chain_head"],
        "chain_length": len(record["chain"]),
        "ballots_hash": record["ballots_hash"],
        **record["counts"],
    }
    for key, value in expected.items():
        if closing.get(key) != value:
            problems.append(f"audit: the closing entry records another {key}")
    return problems


def check_definition(record: dict[str, Any]) -> list[str]:
    election = record["election"]
    if sha256(canonical(election["rules"])) != election["rules_hash"]:
        return ["election: the rules do not match their hash"]
    roll = election["roll"]
    if roll["size"] - roll["excluded"] != record["counts"]["expected"]:
        return ["election: the roll less those not expected is not the number expected"]
    return []


def check_result(record: dict[str, Any]) -> list[str]:
    if record.get("result") is None:
        return []
    recount = count(record)
    published = record["result"]
    problems = []
    for key in ("outcome", "valid", "invalid", "base", "counts", "write_ins", "seats_left"):
        if recount[key] != published.get(key):
            problems.append(f"result: {key} differs from a recount")
    for key in ("elected", "runoff"):
        if sorted(recount[key]) != sorted(published.get(key, [])):
            problems.append(f"result: {key} differs from a recount")
    return problems


def verify(record: dict[str, Any]) -> list[str]:
    """Every problem found, in words; an empty list when the record holds together."""
    try:
        checks = (check_definition, check_chain, check_ballots, check_audit, check_result)
        return [problem for check in checks for problem in check(record)]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return [f"record: malformed ({type(error).__name__}: {error})"]


# ---------------------------------------------------------------- the recount


MARK_NAMES = frozenset(["approve", "disapprove", "abstain"])


def valid_ballot(
    ballot: dict[str, Any], keys: list[str], seats: int, keyset: frozenset[str] | None = None
) -> bool:
    """`keyset` is frozenset(keys), passed in by a caller that checks many ballots."""
    marks, write_ins = ballot.get("marks"), ballot.get("write_ins", {})
    wanted = frozenset(keys) if keyset is None else keyset
    if not isinstance(marks, dict) or not isinstance(write_ins, dict) or marks.keys() != wanted:
        return False
    if len(marks) != len(keys) or not all(type(v) is str for v in marks.values()):
        return False
    if not MARK_NAMES.issuperset(marks.values()):
        return False
    for key, name in write_ins.items():
        if marks.get(key) != "disapprove" or not isinstance(name, str) or not name.strip():
            return False
    return list(marks.values()).count("approve") + len(write_ins) <= seats


def count(record: dict[str, Any]) -> dict[str, Any]:
    election, counts = record["election"], record["counts"]
    rules, seats = election["rules"], election["seats"]
    keys = [c["key"] for c in election["candidates"]]
    tallied = {k: {"approve": 0, "disapprove": 0, "abstain": 0} for k in keys}
    out: dict[str, Any] = {"valid": 0, "invalid": 0, "base": 0, "counts": tallied, "write_ins": {}}
    out.update(elected=[], runoff=[], seats_left=0)
    present, expected = counts["present"], counts["expected"]
    if counts["ballots"] > counts["voted"]:
        return {**out, "outcome": "void"}
    left, right = rules["quorum_den"] * present, rules["quorum_num"] * expected
    if expected <= 0 or not (left > right if rules["quorum_strict"] else left >= right):
        return {**out, "outcome": "no_quorum"}
    keyset = frozenset(keys)
    for entry in record["ballots"]:
        ballot = entry["ballot"]
        if not valid_ballot(ballot, keys, seats, keyset):
            out["invalid"] += 1
            continue
        out["valid"] += 1
        for key, mark in ballot["marks"].items():
            tallied[key][mark] += 1
        for name in ballot.get("write_ins", {}).values():
            out["write_ins"][name.strip()] = out["write_ins"].get(name.strip(), 0) + 1
    out["base"] = {"present": present, "roll": expected, "valid": out["valid"]}[rules["majority_base"]]
    return _elect(out, seats)


def _elect(out: dict[str, Any], seats: int) -> dict[str, Any]:
    votes = {k: v["approve"] for k, v in out["counts"].items()}
    votes.update({"write-in:" + name: n for name, n in out["write_ins"].items()})
    passed = sorted(
        (k for k, n in votes.items() if out["base"] > 0 and 2 * n > out["base"]), key=lambda k: -votes[k]
    )
    if len(passed) <= seats:
        out.update(elected=passed, seats_left=seats - len(passed))
        return {**out, "outcome": "complete" if len(passed) == seats else "further_round"}
    cut = votes[passed[seats - 1]]
    if votes[passed[seats]] != cut:
        return {**out, "outcome": "complete", "elected": passed[:seats]}
    above = [k for k in passed if votes[k] > cut]
    tied = [k for k in passed if votes[k] == cut]
    return {**out, "outcome": "runoff", "elected": above, "runoff": tied, "seats_left": seats - len(above)}


def find_receipt(record: dict[str, Any], code: str) -> dict[str, Any] | None:
    wanted = code.strip().upper().replace(" ", "")
    for entry in record.get("ballots", []):
        if entry.get("receipt", "").replace("-", "") == wanted.replace("-", ""):
            return entry
    return None


def find_commitment(record: dict[str, Any], commit: str) -> int | None:
    """The place in the chain of the commitment a voter was given, or None."""
    wanted = commit.strip().lower()
    return next((link["seq"] for link in record.get("chain", []) if link["commitment"] == wanted), None)


def _option(argv: list[str], name: str) -> str | None:
    if name not in argv:
        return None
    at = argv.index(name) + 1
    return argv[at] if at < len(argv) else ""


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: verifier.py DIR [--receipt CODE [--nonce NONCE]] [--commitment HASH]", file=sys.stderr)
        return 2
    # The record is a tree of plain values without cycles: the cycle collector, run again and
    # again over its millions of objects while they are made, would only cost time (half the
    # reading of a record of 100,000 ballots).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(argv)
    finally:
        if collecting:
            gc.enable()


def _check(argv: list[str]) -> int:
    try:
        record = json.loads((Path(argv[0]) / "record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"record: cannot be read ({error})")
        return 1
    problems = verify(record)
    code, commit = _option(argv[1:], "--receipt"), _option(argv[1:], "--commitment")
    if code is not None and not record["election"].get("receipt_shows_ballot", True):
        problems.append("receipt: this election's receipts do not find ballots; use --commitment")
    elif code is not None:
        found = find_receipt(record, code)
        print(f"receipt {code}: " + (canonical(found["ballot"]) if found else "not found"))
        if found is None:
            problems.append(f"receipt: {code} is not in the ballot list")
        elif (nonce := _option(argv[1:], "--nonce")) is not None:
            # The voter's nonce turns the listed ballot back into the commitment made at the cast:
            # the list then shows the ballot exactly as the chain took it while voting was open.
            commit = commitment(found["receipt"], found["ballot"], nonce.strip().lower())
    if commit is not None:
        seq = find_commitment(record, commit)
        print(f"commitment {commit}: " + (f"entry {seq} of the chain" if seq else "not found"))
        if seq is None:
            problems.append(f"commitment: {commit} is not in the ballot chain")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: chain head {record['chain_head']}, {len(record['ballots'])} ballots, result recounted")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
