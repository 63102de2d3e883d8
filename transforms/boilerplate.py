"""Boilerplate stage: removes junk lines (donation appeals, link lists, banners, share bars, captions, ...).

Works line by line on ``record["text"]`` (paragraphs separated by blank lines; a text dump may have one
block a line, so every non-empty line is judged on its own). Patterns and limits live in
``configs/boilerplate.yaml`` (format documented at its top), never in code. For each line, in order:

1. *block starters*: a short header line ("Most Read", "Related stories", "Lire aussi") removes itself and
   the run of short, headline-like lines after it (at most ``defaults.block_max_words`` words, not ending
   like a sentence with "." or "!"), up to the next real paragraph or ``defaults.block_max_lines`` lines;
2. *line patterns* per reason, only on lines with at most ``max_words`` words (per reason or per
   pattern), so a long real paragraph that mentions "subscribe" or "cookies" is never removed;
3. the tag-cloud heuristic (``item_list``): many short capitalised items separated by | • · -> ``tags``
   (table rows ``| a | b |`` never are).

Sets ``record["boilerplate"] = {"removed": lines removed, "reasons": {reason: count}}`` and the cleaned
text (one blank line between paragraphs). Nothing left, or less than ``boilerplate.min_text_chars``
characters -> ``Reject("no_text")``. ``boilerplate.enabled: false`` passes records through (removed 0).

Also per record: *comment threads* left in the text (several "Posted by: NAME at DATE" / "NAME says:" signature
lines, ``comment_threads`` in the patterns file) are removed as ``comments``. Word counts count two characters
of unspaced scripts (CJK, Thai) as a word (:func:`word_count`), so such text is not taken for short labels.

Text and Markdown inputs that look like a page's visible text dumped one block a line get the jusText-style line
classifier of ``transforms/textdump.py`` (settings ``boilerplate.plain_text``) instead of the ``short_runs`` pass.

Not here: the corpus-level pass that removes lines repeated across many documents of the same site
(``transforms/repeated.py``, ``boilerplate.repeated``), wired right after this stage in the graph.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from transforms.base import ApplyStage, Reject
from transforms.textdump import has_two_words

NAME = "boilerplate"

_BULLET = re.compile(r"^(?:[-*+•·▪►>]|\d{1,2}[.)])\s+")
# tokens with no letter or digit ("|", "\\|", "-", "»"): not words when a line's length is judged
_PUNCT_TOKEN = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
_NUMBERED = re.compile(r"^\(?\d{1,3}[.)]\s")  # numbered list items: article content, never a menu
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!]['\"”’»)]*$")
# a list item that ends like a sentence, maybe with its source in brackets after it ("... resigned. [Reuters]")
_TEASER_SENTENCE = re.compile(r"[.!?:;\u2026]['\"\u201d\u2019\u00bb)]*(\s*\[[^\]]{1,60}\])?$")
_CAPITALISED_CONNECTORS = {"of", "and", "the", "for", "in", "on", "&", "de", "la", "le", "les", "des", "du",
                           "di", "del", "della", "der", "die", "das", "und", "y", "e", "et", "von", "van"}

# (regex, max words, a lowercase ASCII literal every match contains or None): see required_literal
Pattern = Tuple[re.Pattern, int, Optional[str]]


def fold(s: str) -> str:
    """``s`` lowered for :func:`required_literal` checks: every case-insensitive match of an ASCII literal in
    ``s`` is then a plain substring of ``fold(s)``."""
    low = s.lower()
    if low.isascii():
        return low
    # letters that re.IGNORECASE matches with an ASCII one but str.lower() does not lower to it (str.replace:
    # several times faster than str.translate)
    return low.replace("i\u0307", "i").replace("\u0131", "i").replace("\u017f", "s")


def required_literal(rx: "re.Pattern", min_len: int = 3) -> Optional[str]:
    """The longest run of ASCII literal characters that every match of ``rx`` contains, lowercased (runs
    outside any alternation, optional part or look-around; inside groups and repeats of at least one), or None
    when there is none of ``min_len`` characters. ``lit in fold(line)`` is then a necessary condition of
    ``rx.search(line)``, and costs a fraction of the search: most lines are content and match no pattern."""
    try:
        from re import _constants as C, _parser as P  # Python 3.11+
        parsed = P.parse(rx.pattern, rx.flags)
    except Exception:  # another Python's internals: no literal, the pattern is always searched
        return None
    runs: List[str] = []

    def walk(items) -> None:
        cur: List[str] = []
        for op, av in items:
            if op is C.LITERAL and av < 128:
                cur.append(chr(av))
                continue
            if cur:
                runs.append("".join(cur))
                cur = []
            if op is C.SUBPATTERN:
                walk(av[-1])
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
                walk(av[2])
            elif op is getattr(C, "ATOMIC_GROUP", None):
                walk(av)
        if cur:
            runs.append("".join(cur))

    try:
        walk(parsed)
    except Exception:
        return None
    best = max(runs, key=len, default="")
    return best.lower() if len(best) >= min_len else None


def _compile_list(items: Any, default_max: int, where: str) -> List[Pattern]:
    out: List[Pattern] = []
    for i, item in enumerate(items or []):
        if isinstance(item, dict):
            rx, mw = item.get("regex"), int(item.get("max_words", default_max))
        else:
            rx, mw = item, default_max
        if not isinstance(rx, str):
            raise ValueError(f"boilerplate pattern {where}[{i}] is not a string")
        compiled = re.compile(rx, re.I)
        out.append((compiled, mw, required_literal(compiled)))
    return out


# Scripts written without spaces between words (Chinese, Japanese, Thai, ...): two characters count as a word.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uf900-\ufaff\uff66-\uff9f]")


def word_count(s: str) -> int:
    """Words of a line: space-separated tokens, plus one per two characters of unspaced scripts (CJK, Thai),
    so a Japanese paragraph is not mistaken for a one-word label."""
    n = len(s.split())
    cjk = len(_UNSPACED.findall(s))
    return n + cjk // 2 if cjk else n


def is_table_row(s: str) -> bool:
    """A table row as trafilatura writes it (``| a | b |``): content, never a tag cloud."""
    s = s.strip()
    return len(s) > 2 and s.startswith("|") and s.endswith("|")


def normalise_line(line: str) -> str:
    """What the patterns see: stripped, list bullet removed, typographic quotes as ASCII, single spaces."""
    s = line.strip()
    if is_table_row(s) and "|" not in s[1:-1].replace("\\|", ""):
        s = s[1:-1].strip()  # a one-cell table row (a layout table): judge the cell's text
    s = _BULLET.sub("", s)
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


class Boilerplate:
    """``Boilerplate(cfg)(record) -> record`` with cleaned text and ``boilerplate`` counts."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        bc = cfg["boilerplate"]
        self.enabled = bool(bc.get("enabled", True))
        self.min_chars = int(bc.get("min_text_chars", 1))
        self.min_paragraph_words = int(bc.get("min_paragraph_words", 4))
        pats = bc.get("patterns")
        if pats is None:  # a hand-built cfg without load_config(): load the named file
            from pipeline.config import load_yaml, resolve_path
            pats = load_yaml(resolve_path(bc.get("patterns_file", "boilerplate.yaml"), None),
                             "boilerplate patterns file")
        pats = pats or {}
        d = pats.get("defaults") or {}
        self.max_words = int(d.get("max_words", 12))
        self.block_max_words = int(d.get("block_max_words", 20))
        self.block_max_lines = int(d.get("block_max_lines", 30))
        self.lines: List[Tuple[str, List[Pattern]]] = []
        self.blocks: List[Tuple[str, List[Pattern]]] = []
        for reason, spec in (pats.get("reasons") or {}).items():
            spec = spec or {}
            mw = int(spec.get("max_words", self.max_words))
            line = spec.get("line") or {}
            block = spec.get("block") or {}
            self.lines.append((reason, _compile_list(line.get("patterns"), int(line.get("max_words", mw)),
                                                     f"reasons.{reason}.line.patterns")))
            if block.get("patterns"):
                self.blocks.append((reason, _compile_list(block["patterns"], int(block.get("max_words", 6)),
                                                          f"reasons.{reason}.block.patterns")))
        sr = pats.get("short_runs") or {}
        self.run_formats = set(sr.get("formats") or [])
        self.run_min_lines = int(sr.get("min_lines", 3))
        self.run_max_words = int(sr.get("max_words", 10))
        self.run_edges = bool(sr.get("edges", True))
        self.run_content_words = int(sr.get("content_words", 12))
        ct = pats.get("comment_threads") or {}
        self.thread_min = int(ct.get("min_signatures", 3))
        self.thread_after = _compile_list(ct.get("after"), int(ct.get("max_words", 20)), "comment_threads.after")
        self.thread_before = _compile_list(ct.get("before"), int(ct.get("max_words", 20)),
                                           "comment_threads.before")
        self._by_wc: Dict[int, List[Tuple[str, re.Pattern, Optional[str]]]] = {}
        # plain-text dumps (transforms/textdump.py), settings under boilerplate.plain_text
        self.plain_text = dict(bc.get("plain_text") or {})
        self.plain_text["keep_comments"] = bool((cfg.get("extract") or {}).get("include_comments", False))
        dp = pats.get("duplicates") or {}
        self.dup_min_words = int(dp.get("min_words", 8))
        self.dup_min_lines = int(dp.get("min_lines", 0))
        self.dup_min_copies = max(2, int(dp.get("min_copies", 3)))
        self.dup_consecutive = int(dp.get("consecutive_lines", 5))
        tl = pats.get("teaser_lists") or {}
        self.teaser_min_items = int(tl.get("min_items", 0))
        self.teaser_min_words = int(tl.get("min_words", 9))
        il = pats.get("item_list") or {}
        self.item_sep = re.compile(il["regex"]) if il.get("regex") else None
        self.item_min = int(il.get("min_items", 4))
        self.item_max_words = int(il.get("max_item_words", 3))
        self.item_min_cap = float(il.get("min_capitalised", 0.8))

    # -- single-line classification ---------------------------------------------------------------
    @staticmethod
    def _match(patterns: List[Pattern], s: str, wc: int, low: Optional[str] = None) -> bool:
        if low is None:
            low = fold(s)
        for rx, mw, lit in patterns:
            if wc <= mw and (lit is None or lit in low) and rx.search(s):
                return True
        return False

    def block_reason(self, s: str, wc: int, low: Optional[str] = None) -> Optional[str]:
        low = fold(s) if low is None else low
        for reason, pats in self.blocks:
            if self._match(pats, s, wc, low):
                return reason
        return None

    def _line_patterns(self, wc: int) -> List[Tuple[str, "re.Pattern", Optional[str]]]:
        """The line patterns that admit ``wc`` words, flattened in reason order: (reason, regex, literal)."""
        got = self._by_wc.get(wc)
        if got is None:
            got = [(reason, rx, lit) for reason, pats in self.lines for rx, mw, lit in pats if wc <= mw]
            if len(self._by_wc) < 4096:
                self._by_wc[wc] = got
        return got

    def line_reason(self, s: str, wc: int, low: Optional[str] = None) -> Optional[str]:
        low = fold(s) if low is None else low
        for reason, rx, lit in self._line_patterns(wc):
            if (lit is None or lit in low) and rx.search(s):
                return reason
        if self.item_sep is not None and self._is_item_list(s):
            return "tags"
        return None

    def _is_item_list(self, s: str) -> bool:
        if _SENTENCE_END.search(s) or ":" in s or is_table_row(s):
            return False
        items = [x.strip() for x in self.item_sep.split(s) if x.strip()]
        if len(items) < self.item_min:
            return False
        caps = 0
        for it in items:
            words = it.split()
            if len(words) > self.item_max_words:
                return False
            if all(w[:1].isupper() or w[:1].isdigit() or w[:1] == "#" or w.lower() in _CAPITALISED_CONNECTORS
                   for w in words):
                caps += 1
        return caps >= self.item_min_cap * len(items)

    def _continues_block(self, s: str, wc: int) -> bool:
        return wc <= self.block_max_words and not _SENTENCE_END.search(s)

    # -- the stage ----------------------------------------------------------------------------------
    def _short_runs(self, items: List[List[Any]]) -> None:
        """Text dumps: mark runs of short lines (menus, link lists without a header, footers) as `short_run`.

        ``items`` are [para index, line, normalised, word count, reason]. A line is short with at most
        ``run_max_words`` words, no sentence ending (. ! ?) and no list numbering ("1)", "2."). A run (already removed lines continue it) with at
        least ``run_min_lines`` short kept lines is removed; with ``edges``, so are short lines before the
        first and after the last content line (``content_words`` words or more)."""
        def short(it):
            return (it[3] <= self.run_max_words and not _SENTENCE_END.search(it[2])
                    and not it[2].endswith("?") and not _NUMBERED.match(it[1].strip()))

        n = len(items)
        i = 0
        while i < n:
            if items[i][4] is None and not short(items[i]):
                i += 1
                continue
            j = i
            while j < n and (items[j][4] is not None or short(items[j])):
                j += 1
            members = [k for k in range(i, j) if items[k][4] is None]
            if len(members) >= self.run_min_lines:
                for k in members:
                    items[k][4] = "short_run"
            i = j
        if self.run_edges:
            content = [k for k, it in enumerate(items) if it[4] is None and it[3] >= self.run_content_words]
            if content:
                for k, it in enumerate(items):
                    if it[4] is None and (k < content[0] or k > content[-1]) and short(it):
                        it[4] = "short_run"

    def _teaser_tail(self, items: List[List[Any]]) -> None:
        """A recirculation list left at the end of an HTML page's text: at least ``teaser_lists.min_items`` list
        items ("- " lines, as trafilatura writes <li>) after the last other kept line, each of at least
        ``min_words`` words and none ending like a sentence ("Headline Teaser text without a full stop",
        "Headline — Source", "Headline - Nov 05, 2012"). Removed as `link_list`. Lines already removed continue
        the run; a list whose items are sentences ("- The council voted 5 to 2.", also with a trailing
        "[Source]") is content, and so is a list that a kept line ending in a colon introduces ("Other deals:",
        "The winners:"): a recirculation widget's own heading ("Related stories:") is removed by the patterns."""
        if self.teaser_min_items <= 0:
            return
        run: List[int] = []
        introduced = False
        for k in range(len(items) - 1, -1, -1):
            it = items[k]
            if it[4] is not None:
                continue
            raw = it[1].strip()
            if (raw.startswith("- ") and it[3] >= self.teaser_min_words and not _TEASER_SENTENCE.search(it[2])):
                run.append(k)
                continue
            introduced = raw.endswith(":")
            break
        if len(run) >= self.teaser_min_items and not introduced:
            for k in run:
                items[k][4] = "link_list"

    def _duplicates(self, items: List[List[Any]]) -> None:
        """A page whose templates repeat the story block: a run of ``duplicates.min_lines`` consecutive long
        lines (at least ``duplicates.min_words`` words each; shorter lines between them are skipped) found
        word for word ``duplicates.min_copies`` times or more (copies not overlapping) loses all copies but the
        first, as `duplicate` (with the short lines inside a removed run that repeat earlier lines too). Two
        copies stay: a page may really show a story twice (a teaser of the whole text above it). A single
        repeated line (an interview's recurring question, a meal plan's "Portion: 1 cup ...") stays."""
        if self.dup_min_lines <= 0:
            return
        longs = [k for k, it in enumerate(items) if it[4] is None and it[3] >= self.dup_min_words]
        keys = [items[k][2].lower() for k in longs]
        w = self.dup_min_lines
        starts: Dict[Tuple[str, ...], List[int]] = {}
        for i in range(len(keys) - w + 1):
            at = starts.setdefault(tuple(keys[i:i + w]), [])
            if not at or at[-1] + w <= i:  # copies that do not overlap
                at.append(i)
        doomed = set()
        for at in starts.values():
            if len(at) >= self.dup_min_copies:
                for i in at[1:]:
                    doomed.update(range(i, i + w))
        if not doomed:
            return
        earlier = {items[k][2].lower() for k in range(longs[min(doomed)])}
        for i in sorted(doomed):
            items[longs[i]][4] = "duplicate"
            # short lines inside the repeated run that also repeat an earlier line
            if i + 1 in doomed:
                for k in range(longs[i] + 1, longs[i + 1]):
                    if items[k][4] is None and items[k][2].lower() in earlier:
                        items[k][4] = "duplicate"

    def _consecutive_copies(self, items: List[List[Any]]) -> None:
        """A line (two words or more) repeated, case aside, on ``duplicates.consecutive_lines`` lines in a row
        or more keeps its first copy; the others go as `duplicate`: a gallery's slide title under every slide
        ("From the campaign trail" 177 times). Fewer copies stay (a chant, "We love you Arsenal, we do.", three
        times; an image licence under four pictures), and so do table rows ("| Pos | Player |"). Text and
        Markdown dumps have their own rule in :mod:`transforms.textdump`."""
        n, k = len(items), 1
        while k < n:
            s = items[k - 1][2]
            j = k
            while j < n and items[j][2] and items[j][2].lower() == s.lower():
                j += 1
            if j - k + 1 >= self.dup_consecutive and not s.startswith("|") and has_two_words(s):
                for i in range(k, j):
                    if items[i][4] is None:
                        items[i][4] = "duplicate"
            k = j + 1

    def _comment_threads(self, items: List[List[Any]]) -> None:
        """A user comment thread left in the text: at least ``min_signatures`` comment signature lines
        ("Posted by: Ann at May 2, 2012 9:01 AM" after each comment, or "Ann says:" before it). Removed as
        `comments`: with signatures after the comments, from the paragraph before the first signature to the
        last signature; with signatures before them, from the first signature to the end."""
        for pats, after in ((self.thread_after, True), (self.thread_before, False)):
            if not pats:
                continue
            sig = [k for k, it in enumerate(items) if it[2] and self._match(pats, it[2], it[3])]
            if len(sig) < self.thread_min:
                continue
            first, last = sig[0], (sig[-1] if after else len(items) - 1)
            if after:
                # the first comment's body: the paragraph just before its signature
                prev = first - 1
                while prev >= 0 and items[prev][4] is not None:
                    prev -= 1
                if prev >= 0:
                    pi = items[prev][0]
                    while prev >= 0 and items[prev][0] == pi:
                        prev -= 1
                    first = prev + 1
            for k in range(first, last + 1):
                if items[k][4] is None:
                    items[k][4] = "comments"
            return

    # -- plain-text dumps (hook into transforms/textdump.py) ---------------------------------------
    def _plain_text_dump(self, items: List[List[Any]], fmt: Optional[str], continued: Any = ()) -> bool:
        """Text/Markdown input that looks like a page's visible text dumped one block a line: the line
        classifier of :mod:`transforms.textdump` judges the lines no pattern removed (replaces the
        ``short_runs`` pass). Lines removed only because they follow a block starter (``continued``) are
        judged by it too: in a dump the header's run of short lines often runs on into the article's
        title and by-line, which the classifier tells by their context. Returns whether it ran."""
        pt = self.plain_text
        if fmt not in ("text", "markdown") or not pt.get("enabled", True):
            return False
        from transforms import textdump
        lines = [it[2] for it in items]
        if not textdump.looks_like_dump(lines, pt):
            return False
        fixed = [None if k in continued else it[4] for k, it in enumerate(items)]
        reasons = textdump.classify(lines, fixed, pt)
        if all(r is not None for r in reasons):
            return False  # no article found: leave the text to the ordinary passes
        for k, (it, reason) in enumerate(zip(items, reasons)):
            # a continuation line the classifier removes keeps its block's reason
            it[4] = it[4] if k in continued and reason is not None else reason
        return True

    def clean(self, text: str, fmt: Optional[str] = None,
              site: Optional[str] = None) -> Tuple[str, int, Dict[str, int]]:
        """Text -> (cleaned text, lines removed, {reason: count}); ``fmt`` is the record's input format,
        ``site`` its site name (a line that is only the site name is a masthead: reason ``navigation``)."""
        site_line = normalise_line(site).lower() if site else None
        paras = [[ln for ln in p.split("\n") if ln.strip()] for p in re.split(r"\n[ \t]*\n", text.strip())]
        block: Optional[str] = None
        block_left = 0
        items: List[List[Any]] = []
        continued: set = set()  # lines removed only as the continuation of a block starter's run
        for pi, para in enumerate(paras):
            for line in para:
                s = normalise_line(line)
                wc = word_count(s) - len(_PUNCT_TOKEN.findall(s))
                reason = None
                if s:
                    low = fold(s)  # once for both pattern lists
                    starter = self.block_reason(s, wc, low)
                    if site_line and s.lower() == site_line:
                        reason = "navigation"
                    elif starter:
                        reason, block, block_left = starter, starter, self.block_max_lines
                    else:
                        reason = self.line_reason(s, wc, low)
                        if reason is None and block and block_left > 0 and self._continues_block(s, wc):
                            reason = block
                            block_left -= 1
                            continued.add(len(items))
                        elif reason is None:
                            block = None
                items.append([pi, line, s, wc, reason])
        self._duplicates(items)
        self._comment_threads(items)
        if fmt not in ("text", "markdown"):
            if self.dup_consecutive > 1:
                self._consecutive_copies(items)
            self._teaser_tail(items)
        if not self._plain_text_dump(items, fmt, continued) and fmt in self.run_formats:
            self._short_runs(items)
        reasons: Dict[str, int] = {}
        out: Dict[int, List[str]] = {}
        for pi, line, _, _, reason in items:
            if reason is None:
                out.setdefault(pi, []).append(line.rstrip())
            else:
                reasons[reason] = reasons.get(reason, 0) + 1
        removed = sum(reasons.values())
        return "\n\n".join("\n".join(out[pi]) for pi in sorted(out)), removed, dict(sorted(reasons.items()))

    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        text = record.get("text") or ""
        if not self.enabled:
            record["boilerplate"] = {"removed": 0, "reasons": {}}
            return record
        cleaned, removed, reasons = self.clean(text, record.get("_format"), record.get("site"))
        record["text"] = cleaned
        record["boilerplate"] = {"removed": removed, "reasons": reasons}
        if not cleaned.strip():
            raise Reject("no_text", f"nothing left after removing {removed} boilerplate lines")
        longest = max(word_count(p) for p in cleaned.split("\n\n"))
        if longest < self.min_paragraph_words:
            raise Reject("no_text", f"only short labels left after boilerplate removal (longest paragraph "
                                    f"{longest} words, fewer than {self.min_paragraph_words})")
        if len(cleaned) < self.min_chars:
            raise Reject("no_text", f"{len(cleaned)} characters left after boilerplate removal, "
                                    f"fewer than {self.min_chars}")
        return record


def BoilerplateTransform(cfg: Dict[str, Any]) -> ApplyStage:
    """Beam wrapper: ``pcoll | BoilerplateTransform(cfg)`` -> {"docs", "rejects"}."""
    return ApplyStage(Boilerplate, NAME, cfg)
