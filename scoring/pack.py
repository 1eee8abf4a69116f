"""Loading a tender pack: every file read, validated and cross-checked, every problem reported at once.

A pack is built from file texts (name -> text) so that a decision record, which holds those texts, rebuilds
exactly the same pack without touching the disk.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..engine import sha256_hex
from .bid_facts import bid_fact_problems
from .errors import InputError, Problem, RulesetError
from .models import Bid, ScoreRow, Tender
from .numbers import ZERO
from .panel import (
    XLSX_TEXT_SUFFIX,
    PanelConsensus,
    Scale,
    panel_consensus,
    proposed_scores,
    rationale_problems,
    tender_panel_problems,
    workbook_text,
)
from .ruleset import LoadedRuleset, resolve_ruleset
from .validation import pydantic_problems
from .yamlio import load_mapping_text, parse_csv, read_bytes, read_utf8, undecodable

TENDER_FILE = "tender.yaml"
SCORES_FILE = "scores.csv"
BID_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class InputFile:
    name: str
    text: str

    @property
    def sha256(self) -> str:
        return sha256_hex(self.text.encode("utf-8"))


@dataclass(frozen=True)
class BidEntry:
    bid_id: str
    bid: Bid
    file: str


@dataclass(frozen=True)
class Pack:
    display: str
    tender: Tender
    ruleset: LoadedRuleset
    bids: tuple[BidEntry, ...]
    scores: dict[tuple[str, str], ScoreRow]
    files: tuple[InputFile, ...]
    extra: dict[str, object] = field(default_factory=dict)
    panel: PanelConsensus | None = None  # the evaluators' sheets behind the consensus, when the pack has them
    # What scores as the spec says but is probably a mistake (a commitment to a code the catalogue lacks):
    # commands print these on stderr; they change nothing in the result.
    warnings: tuple[Problem, ...] = ()

    def file_label(self, name: str) -> str:
        return f"{self.display}/{name}"

    def texts(self) -> dict[str, str]:
        """Every file's text by its name inside the pack."""
        return {f.name: f.text for f in self.files}

    def bidders(self) -> dict[str, str]:
        """Each bid's bidder, by bid id, in bid order."""
        return {entry.bid_id: entry.bid.bidder for entry in self.bids}


RulesetResolver = Callable[[str, Path | None], LoadedRuleset]


def shown_path(path: Path) -> str:
    """A path as text that can be printed and stored: bytes of a name that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", errors="replace").rstrip("/") or "/"


def _link_problem(path: Path, root: Path, label: str) -> Problem | None:
    """A symbolic link inside the pack that leaves it, or leads nowhere; None for anything else.

    A pack's files go into its decision record: a link to a file outside the pack (a key, another tender's bid)
    would put that file's text into the record, and a broken link would silently drop a bid.
    """
    try:
        target = path.resolve()
        exists = target.exists()
    except (OSError, RuntimeError):  # a loop of links, or a target that cannot be looked at
        return Problem(label, "", "a symbolic link that cannot be followed (a loop of links?)")
    if target != root and root not in target.parents:
        return Problem(label, "", f"a symbolic link to {shown_path(target)}, outside the pack: copy the file in")
    if not exists:
        return Problem(label, "", f"a broken symbolic link (its target {shown_path(target)} does not exist)")
    return None


def read_pack_files(folder: Path) -> dict[str, str]:
    """Every file of a pack folder that tenderscore reads, by its name inside the pack."""
    display = shown_path(folder)
    if not folder.is_dir():
        raise InputError([Problem(display, "", "expected a tender pack folder (tender.yaml, bids/, scores.csv)")])
    files: dict[str, str] = {}
    problems: list[Problem] = []
    root = folder.resolve()
    # (name in the pack, path, whether it is a symbolic link: None until looked at); names are built, not derived
    # with relative_to (a sixth of reading a pack). Folder entries carry their type, so most files cost no stat.
    candidates: list[tuple[str, Path, bool | None]] = [
        (name, folder / name, None) for name in (TENDER_FILE, SCORES_FILE)
    ]
    for sub, suffixes in (("bids", BID_SUFFIXES), ("panel", (".csv", ".xlsx"))):
        subdir = folder / sub
        try:
            if subdir.is_symlink():
                problem = _link_problem(subdir, root, f"{display}/{sub}")
                if problem is not None:
                    problems.append(problem)
                    continue
            if subdir.is_dir():
                with os.scandir(subdir) as entries:
                    # Skipping hidden files and Excel's `~$name.xlsx` owner files, which exist while a sheet is
                    # open. Anything but a folder is a candidate: a FIFO or device named like a bid is refused.
                    found = sorted(
                        (entry.name, entry.is_symlink())
                        for entry in entries
                        if os.path.splitext(entry.name)[1].lower() in suffixes
                        and not entry.name.startswith(("~$", "."))
                        and not entry.is_dir()
                    )
                candidates += [(f"{sub}/{entry}", subdir / entry, link) for entry, link in found]
        except OSError as exc:
            problems.append(Problem(f"{display}/{sub}", "", f"cannot be read: {exc.strerror}"))
    for name, path, link in candidates:
        label = f"{display}/{name}"
        try:
            if link is None:
                try:
                    mode = os.lstat(path).st_mode
                except FileNotFoundError:
                    continue  # a missing tender.yaml or scores.csv is reported when the pack is built
                link = stat.S_ISLNK(mode)
                if stat.S_ISDIR(mode):
                    continue
            if link:
                problem = _link_problem(path, root, label)
                if problem is not None:
                    problems.append(problem)
                    continue
                if path.is_dir():
                    continue
            if name.lower().endswith(".xlsx"):
                # A workbook enters the pack (and any decision record) as the text of what was written on it.
                text, problem = workbook_text(read_bytes(path), label)
                if problem is not None:
                    problems.append(problem)
                elif text is not None:
                    files[name[: -len(".xlsx")] + XLSX_TEXT_SUFFIX] = text
                continue
            files[name] = read_utf8(path)
        except UnicodeDecodeError as exc:
            problems.append(Problem(label, "", undecodable(exc.object, exc.start)))
        except OSError as exc:
            problems.append(Problem(label, "", f"cannot be read: {exc.strerror}"))
    if problems:
        raise InputError(problems)
    return files


def load_pack(folder: Path, consensus: bool = True) -> Pack:
    """Read and validate the pack in `folder`; raises InputError with every problem found.

    `consensus=False` reads the tender, ruleset and bids only: what the panel works from before scores exist.
    """
    return build_pack(read_pack_files(folder), shown_path(folder), base_dir=folder, consensus=consensus)


def build_pack(
    files: dict[str, str],
    display: str,
    base_dir: Path | None = None,
    ruleset: LoadedRuleset | None = None,
    consensus: bool = True,
) -> Pack:
    builder = _Builder(files, display)
    return builder.build(base_dir, ruleset, consensus)


class _Builder:
    def __init__(self, files: dict[str, str], display: str) -> None:
        self.files = files
        self.display = display
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.panel: PanelConsensus | None = None
        # Ids of bid files already reported as invalid: their score rows are not reported again as unknown bids.
        self.invalid_bids: set[str] = set()

    def label(self, name: str) -> str:
        return f"{self.display}/{name}"

    def add(self, name: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.label(name), field, message))

    def build(self, base_dir: Path | None, ruleset: LoadedRuleset | None, consensus: bool = True) -> Pack:
        tender = self.tender()
        if tender is not None and ruleset is None:
            try:
                ruleset = resolve_ruleset(tender.ruleset, base_dir)
            except RulesetError as exc:
                self.add(TENDER_FILE, "ruleset", str(exc))
        bids = self.bids()
        if tender is not None and ruleset is not None:
            self.check_tender(tender, ruleset)
            self.check_bids(tender, ruleset, bids)
        scores = self.scores(tender, bids, ruleset) if tender is not None and consensus else {}
        if self.problems or tender is None or ruleset is None:
            raise InputError(self.problems)
        ordered = tuple(InputFile(name, self.files[name]) for name in sorted(self.files))
        return Pack(
            self.display, tender, ruleset, tuple(bids), scores, ordered, panel=self.panel, warnings=tuple(self.warnings)
        )

    def tender(self) -> Tender | None:
        if TENDER_FILE not in self.files:
            self.add(TENDER_FILE, "", "missing: every pack needs a tender.yaml")
            return None
        data, problem = load_mapping_text(self.files[TENDER_FILE], self.label(TENDER_FILE), ".yaml")
        if problem is not None:
            self.problems.append(problem)
            return None
        try:
            return Tender.model_validate(data)
        except ValidationError as exc:
            self.problems += pydantic_problems(exc, self.label(TENDER_FILE), model=Tender)
            return None

    def bids(self) -> list[BidEntry]:
        entries: list[BidEntry] = []
        names = sorted(n for n in self.files if n.startswith("bids/"))
        if not names:
            self.add("bids/", "", "expected at least one bid file (bids/NAME.yaml or .json)")
        seen: dict[str, str] = {}
        for name in names:
            data, problem = load_mapping_text(self.files[name], self.label(name), Path(name).suffix.lower())
            if problem is not None:
                self.problems.append(problem)
                self.invalid_bids.add(Path(name).stem)
                continue
            try:
                bid = Bid.model_validate(data)
            except ValidationError as exc:
                self.problems += pydantic_problems(exc, self.label(name), model=Bid)
                claimed = data.get("bid_id") if data is not None else None
                self.invalid_bids.add(claimed if isinstance(claimed, str) else Path(name).stem)
                continue
            bid_id = bid.bid_id or Path(name).stem
            if bid_id in seen:
                self.add(name, "bid_id", f"expected a unique bid id, found {bid_id!r} again (also {seen[bid_id]})")
                continue
            seen[bid_id] = name
            entries.append(BidEntry(bid_id, bid, name))
        return entries

    def check_tender(self, tender: Tender, ruleset: LoadedRuleset) -> None:
        w = tender.weights
        total = w.price + w.quality + w.social_value
        if total != 100:
            self.add(TENDER_FILE, "weights", f"expected price + quality + social_value = 100, found {total}")
        quality_sum = sum((q.weight for q in tender.quality.questions), ZERO)
        if quality_sum != w.quality:
            self.add(
                TENDER_FILE,
                "quality.questions",
                f"expected question weights summing to the quality weight {w.quality}, found {quality_sum}",
            )
        sv = tender.social_value
        sv_sum = sum(sv.themes.values(), ZERO) + sum((q.weight for q in sv.questions), ZERO)
        if sv_sum != w.social_value:
            self.add(
                TENDER_FILE,
                "social_value",
                f"expected theme weights plus question weights summing to the social value weight "
                f"{w.social_value}, found {sv_sum}",
            )
        seen: set[str] = set()
        for section, questions in (("quality", tender.quality.questions), ("social_value", sv.questions)):
            for index, question in enumerate(questions):
                where = f"{section}.questions[{index}] ({question.id})"
                if question.id in seen:
                    self.add(TENDER_FILE, where, "expected a unique question id")
                seen.add(question.id)
                scale = tender.scale_max_of(question)
                if not ZERO <= question.min_score <= scale:
                    self.add(TENDER_FILE, f"{where}.min_score", f"expected 0 to {scale}, found {question.min_score}")
        for theme in sv.themes:
            if theme not in ruleset.model.themes:
                self.add(
                    TENDER_FILE, f"social_value.themes.{theme}", f"expected one of {', '.join(ruleset.model.themes)}"
                )
        for code in sv.measures or []:
            if code not in ruleset.measures:
                self.add(
                    TENDER_FILE, "social_value.measures", f"expected measures of ruleset {ruleset.id}, found {code!r}"
                )
        for gate in sorted({gate for gate in tender.gates if tender.gates.count(gate) > 1}):
            # Each gate becomes one fact of the bid's session: a second would be refused by the engine, unnamed.
            self.add(TENDER_FILE, "gates", f"expected each gate once, found {gate!r} twice or more")
        for gate in tender.gates:
            if gate not in ruleset.model.gates:
                known = ", ".join(ruleset.model.gates) or "none"
                self.add(TENDER_FILE, "gates", f"expected gates of ruleset {ruleset.id} ({known}), found {gate!r}")
        if tender.exemption is not None:
            for key in ("reason", "approved_by"):
                if not getattr(tender.exemption, key).strip():
                    self.add(TENDER_FILE, f"exemption.{key}", "expected a non-empty value")

    def check_bids(self, tender: Tender, ruleset: LoadedRuleset, bids: list[BidEntry]) -> None:
        for entry in bids:
            self.unknown_measures(entry, ruleset)
            for gate in entry.bid.gates:
                if gate not in tender.gates:
                    listed = ", ".join(tender.gates) or "none"
                    self.add(entry.file, f"gates.{gate}", f"expected a gate the tender lists ({listed})")
        declared = ruleset.model.bid_facts
        if declared is not None:
            for entry in bids:
                for where, message in bid_fact_problems(entry.bid.facts, declared, f"{ruleset.id}@{ruleset.version}"):
                    self.add(entry.file, where, message)
        for where, message in tender_panel_problems(tender, [entry.bid_id for entry in bids]):
            self.add(TENDER_FILE, where, message)

    def unknown_measures(self, entry: BidEntry, ruleset: LoadedRuleset) -> None:
        """Warn of each commitment to a code the catalogue lacks: the spec counts it for nothing (and the ruleset
        flags it), so a typo such as NTl for NT1 silently costs a bid the commitment's whole value."""
        lines: list[str] = []
        after = 0  # commitments are found in order: each is looked for below the one before
        for index, commitment in enumerate(entry.bid.commitments):
            code = commitment.measure
            if code in ruleset.measures:
                continue
            lines = lines or self.files[entry.file].split("\n")
            token = re.compile(r"(?<![\w.-])" + re.escape(code) + r"(?![\w.-])")
            line = next((n for n in range(after, len(lines)) if "measure" in lines[n] and token.search(lines[n])), None)
            where = f"commitments[{index}].measure"
            if line is not None:
                after = line + 1
                where = f"line {line + 1}: {where}"
            guess = nearest_code(code, tuple(ruleset.measures))
            hint = f"; did you mean {guess}?" if guess else ""
            self.warnings.append(
                Problem(
                    self.label(entry.file),
                    where,
                    f"{code!r} is not a measure of ruleset {ruleset.id}, so this commitment counts for nothing" + hint,
                )
            )

    def scores(
        self, tender: Tender, bids: list[BidEntry], ruleset: LoadedRuleset | None
    ) -> dict[tuple[str, str], ScoreRow]:
        questions = {q.id for q in tender.all_questions()}
        if not questions:
            if SCORES_FILE in self.files:
                rows, problems = parse_csv(
                    self.files[SCORES_FILE], self.label(SCORES_FILE), ["bid", "question", "score"], ["rationale"]
                )
                self.problems += problems
                if rows:
                    # Scores for a tender with no questions mean the tender lost its questions, or the pack its
                    # way; a header with no rows (a price-only call-off's template) holds none.
                    self.add(SCORES_FILE, "", "expected no consensus scores: the tender has no scored questions")
            return {}
        if ruleset is not None:
            bidders = {entry.bid_id: entry.bid.bidder for entry in bids}
            self.panel = panel_consensus(self.files, tender, bidders, ruleset.model.policy, self.display)
        if self.panel is not None:
            self.problems += self.panel.reading.problems
        if SCORES_FILE not in self.files and self.panel is not None:
            if self.panel.moderation is None:
                return {}
            proposed, problems = proposed_scores(self.panel.moderation, self.label(SCORES_FILE))
            self.problems += problems
            return proposed
        if SCORES_FILE not in self.files:
            self.add(SCORES_FILE, "", "missing: the tender has scored questions, so the pack needs consensus scores")
            return {}
        rows, problems = parse_csv(
            self.files[SCORES_FILE], self.label(SCORES_FILE), ["bid", "question", "score"], ["rationale"]
        )
        self.problems += problems
        bid_ids = {entry.bid_id for entry in bids}
        # Each question's own scale where it has one: a score of 50 is fine out of 60, not out of 5.
        tender_scale, scales = Scale.of(tender), Scale.by_question(tender)
        scores: dict[tuple[str, str], ScoreRow] = {}
        rejected: set[tuple[str, str]] = set()  # reported once as a bad score, not again as a missing one
        for row in rows:
            where = f"line {row['_line']}"
            scale = scales.get(row["question"], tender_scale)
            value, message = scale.read(row["score"])
            if value is None:
                self.add(SCORES_FILE, f"{where}: score", message)
                rejected.add((row["bid"], row["question"]))
                continue
            if row["bid"] in self.invalid_bids:
                continue
            if row["bid"] not in bid_ids:
                self.add(SCORES_FILE, f"{where}: bid", f"expected one of the pack's bids, found {row['bid']!r}")
                continue
            if row["question"] not in questions:
                self.add(
                    SCORES_FILE,
                    f"{where}: question",
                    f"expected one of the tender's questions, found {row['question']!r}",
                )
                continue
            key = (row["bid"], row["question"])
            if key in scores:
                self.add(SCORES_FILE, f"{where}", f"a second score for bid {key[0]}, question {key[1]}")
                continue
            scores[key] = ScoreRow(
                bid=key[0], question=key[1], score=value, rationale=row.get("rationale", ""), line=int(row["_line"])
            )
        if not problems:
            for entry in bids:
                for question in tender.all_questions():
                    if (entry.bid_id, question.id) not in scores and (entry.bid_id, question.id) not in rejected:
                        self.add(
                            SCORES_FILE,
                            f"bid {entry.bid_id}, question {question.id}",
                            "missing consensus score (a missing score is not a zero)",
                        )
        if self.panel is not None and self.panel.moderation is not None:
            self.problems += rationale_problems(scores, self.panel.moderation, self.label(SCORES_FILE))
        return scores


# Characters typed for one another (l and 1, O and 0): NTl is NT1, not NT8, though difflib rates both alike.
_LOOKALIKES = str.maketrans({"l": "1", "I": "1", "i": "1", "|": "1", "O": "0", "o": "0"})


@functools.lru_cache(maxsize=256)
def nearest_code(code: str, known: tuple[str, ...]) -> str | None:
    """The catalogue code `code` was most likely meant to be, or None when none is close."""
    plain = {k.translate(_LOOKALIKES).upper(): k for k in known}
    typed = code.translate(_LOOKALIKES).upper()
    if typed in plain:
        return plain[typed]
    guess = difflib.get_close_matches(typed, list(plain), n=1, cutoff=0.6)
    return plain[guess[0]] if guess else None


def discover_packs(paths: Iterable[Path]) -> list[Path]:
    """Pack folders from the command line: a pack (it has a tender.yaml) or a folder of packs, in given order.

    A folder with no tender.yaml of its own but with pack subfolders stands for those subfolders, sorted by name;
    any other folder is taken as a pack, so a broken pack is reported by loading it like any other. A folder
    that cannot be read is an input error, every one named at once, before anything is scored.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            if (path / TENDER_FILE).is_file() or not path.is_dir():
                found.append(path)
                continue
            children = sorted(p for p in path.iterdir() if p.is_dir() and (p / TENDER_FILE).is_file())
        except OSError as exc:
            problems.append(Problem(str(path), "", f"cannot be read: {exc.strerror}"))
            continue
        found += children or [path]
    if problems:
        raise InputError(problems)
    return found
