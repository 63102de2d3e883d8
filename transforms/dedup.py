"""Near-duplicate detection: per-record keys (stage ``dedup``) and cross-record resolution.

Per record (:class:`DedupKeys`, plain Python + numpy):

- ``normalize(text)``: NFKC, lowercase, invisible format characters (Unicode ``Cf``: soft hyphen, zero-width
  space, ...) removed, punctuation (Unicode ``P*``) replaced by a space, whitespace collapsed to one space.
- ``exact``: SHA-1 hex of the normalized text (UTF-8).
- Shingle hashing: every word n-gram of the normalized text is a byte span of it, so all n-grams are hashed
  at once with a 64-bit polynomial hash over the UTF-8 bytes (odd base, mod 2^64, prefix sums in numpy)
  followed by the splitmix64 finalizer. Pure arithmetic on fixed constants: the same in every process,
  platform and run (never Python's ``hash()``).
- ``minhash``: ``num_perm`` hash permutations ``h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32`` over the 32-bit
  shingle values ``x`` (multiply-add-shift, 2-independent; see :func:`minhash_signature` for why not
  ``mod 2^61-1``); the minimum per permutation is the signature (uint32 little-endian bytes in
  ``record["_minhash"]``). ``a_i`` (odd) and ``b_i`` are 64-bit, from BLAKE2b of ``dedup.seed``.
  Word shingles of ``dedup.shingle_size`` words; a text with fewer words is one shingle of all its words;
  an empty normalized text has the fixed all-``0xFFFFFFFF`` signature and no band keys.
- ``minhash_bands``: ``f"{band}:{blake2b(rows bytes, 8 bytes).hex()}"`` for each of ``dedup.bands`` bands.
- ``simhash``: 64-bit SimHash (16 hex digits) over the same shingle hashes as MinHash (``dedup.shingle_size``
  words; whole text when shorter). Reusing them instead of separate word 3-grams saves a tenth of the cost.
- Cost: about 0.2 ms per 2 KB text with the default 64 permutations (normalization vectorized over code points,
  one pass of prefix sums for all shingle hashes, MinHash as multiply-add-min on uint64 with the shift after
  the minimum).

Cross-record (:class:`ResolveDuplicates`): records are grouped by band key and by ``"x:" + exact`` with only
their ``source`` as value (small); buckets above ``dedup.max_bucket_size`` are skipped and counted; every
bucket of 2+ members becomes its sorted member tuple, identical tuples once (a near-duplicate pair shares many
bands); the small nodes ``(source, id, published, length, exact, minhash)`` of the candidate records only are
joined to their groups (CoGroupByKey on source), and the pairs of each group are verified by estimated Jaccard
>= ``dedup.threshold`` (equal exact digests count 1.0); the distinct edges and their nodes go to one place for
union-find; one representative per component (earliest ``published``, missing last; then longest text; then
smallest id; then smallest source); the mapping of the non-singleton members comes back to the records as a
side input. Shuffled volume: ``bands + 1`` small (key, source) pairs per record, one node per record, and
nodes per candidate group, so time and memory grow linearly with the records (``python -m bench.dedup_scale``).
"""
from __future__ import annotations

import base64
import hashlib
import threading
import unicodedata
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np

from transforms.base import SumCombineFn, TaggedOutputs, apply_after, history_key, is_history

NAME = "dedup"

_SHIFT32 = np.uint64(32)
_EMPTY_VALUE = 0xFFFFFFFF
# Polynomial hash base (odd, so invertible mod 2^64) and its inverse.
_BASE = 0x9E3779B97F4A7C15
_BASE_INV = pow(_BASE, -1, 1 << 64)
# Bytes of uint64 temporaries per MinHash chunk (bounds memory on very long texts).
_CHUNK_BYTES = 1 << 20

# ----------------------------------------------------------------------------------------------- normalize


# Per code point class for normalize: 0 keep, 1 space (whitespace as str.split sees it, punctuation P*), 2 drop
# (format characters Cf). Basic Multilingual Plane in a table built on first use (~30 ms), the rest computed
# per character (rare: emoji, historic scripts).
_KEEP, _SPACE, _DROP = 0, 1, 2
_TABLE_LOCK = threading.Lock()
_BMP_TABLE: Optional[np.ndarray] = None


@lru_cache(maxsize=65536)
def _char_class(cp: int) -> int:
    ch = chr(cp)
    if ch.isspace():
        return _SPACE
    cat = unicodedata.category(ch)
    if cat[0] == "P":
        return _SPACE
    return _DROP if cat == "Cf" else _KEEP


def _bmp_table() -> np.ndarray:
    global _BMP_TABLE
    if _BMP_TABLE is None:
        with _TABLE_LOCK:
            if _BMP_TABLE is None:
                table = np.zeros(0x10000, dtype=np.uint8)
                for cp in range(0x10000):
                    ch = chr(cp)
                    if ch.isspace():
                        table[cp] = _SPACE
                    else:
                        cat = unicodedata.category(ch)
                        if cat[0] == "P":
                            table[cp] = _SPACE
                        elif cat == "Cf":
                            table[cp] = _DROP
                _BMP_TABLE = table
    return _BMP_TABLE


def normalize(text: Optional[str]) -> str:
    """NFKC, lowercase, format characters (Cf) removed, punctuation (P*) -> space, whitespace collapsed.

    Vectorized over the code points (numpy): the same as mapping every character on its Unicode category
    and then ``" ".join(t.split())``.
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).lower()
    ascii_only = t.isascii()
    if ascii_only:
        cps = np.frombuffer(t.encode("ascii"), dtype=np.uint8)
        cls = _bmp_table()[cps]
    else:
        cps = np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if int(cps.max()) <= 0xFFFF:
            cls = _bmp_table()[cps]
        else:
            cls = _bmp_table()[np.minimum(cps, 0xFFFF)]
            astral = np.flatnonzero(cps > 0xFFFF)
            cls[astral] = [_char_class(cp) for cp in cps[astral].tolist()]
    keep = cls != _DROP
    space = cls == _SPACE
    if not keep.all():
        cps, space = cps[keep], space[keep]
    if cps.shape[0] == 0:
        return ""
    # keep non-spaces, and a space only right after a non-space; then no trailing space
    m = ~space
    m[1:] |= space[1:] & ~space[:-1]
    out = np.where(space, cps.dtype.type(32), cps)[m]
    if out.shape[0] and out[-1] == 32:
        out = out[:-1]
    if ascii_only:
        return out.tobytes().decode("ascii")
    return out.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def exact_digest(norm: str) -> str:
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------ shingle hashes

_POW_LOCK = threading.Lock()
_POWERS: Tuple[np.ndarray, np.ndarray] = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))


def _powers(n: int) -> Tuple[np.ndarray, np.ndarray]:
    """(B^t, B^-t) mod 2^64 for t in [0, n), cached per process and grown by doubling."""
    global _POWERS
    pw, inv = _POWERS
    if pw.shape[0] >= n:
        return pw, inv
    with _POW_LOCK:
        pw, inv = _POWERS
        if pw.shape[0] < n:
            size = max(n, 2 * pw.shape[0], 4096)
            with np.errstate(over="ignore"):
                pw = np.empty(size, dtype=np.uint64)
                inv = np.empty(size, dtype=np.uint64)
                pw[0] = inv[0] = 1
                pw[1:] = np.cumprod(np.full(size - 1, _BASE, dtype=np.uint64), dtype=np.uint64)
                inv[1:] = np.cumprod(np.full(size - 1, _BASE_INV, dtype=np.uint64), dtype=np.uint64)
            _POWERS = (pw, inv)
    return _POWERS


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, in place on a uint64 array."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


# Texts up to this many bytes are hashed in one window; longer ones window by window (a span's hash does not
# depend on the window it is computed in, so the result is the same; it keeps the power tables small).
_WINDOW_BYTES = 1 << 16


class _Spans:
    """The UTF-8 bytes of one normalized text and its word boundaries; hashes word n-gram spans.

    The hash of the byte span ``[s, e)`` is ``sum(byte_t * B^(e-1-t))`` mod 2^64 (plus the span length
    times a constant), computed from prefix sums of ``byte_t * B^-t`` over a window containing the span,
    then finalized with splitmix64.
    """

    __slots__ = ("n", "data", "starts", "ends", "_prefix")

    def __init__(self, norm: str):
        data = np.frombuffer(norm.encode("utf-8"), dtype=np.uint8)
        n = data.shape[0]
        self.n = n
        self.data = data
        spaces = np.flatnonzero(data == 32)
        self.starts = np.concatenate(([0], spaces + 1)).astype(np.int64)
        self.ends = np.concatenate((spaces, [n])).astype(np.int64)
        self._prefix = None

    @property
    def num_words(self) -> int:
        return 0 if self.n == 0 else int(self.starts.shape[0])

    def _window_prefix(self, lo: int, hi: int) -> np.ndarray:
        _, inv = _powers(hi - lo + 1)
        prefix = np.zeros(hi - lo + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(self.data[lo:hi].astype(np.uint64) * inv[:hi - lo], out=prefix[1:])
        return prefix

    def _span_hashes(self, s: np.ndarray, e: np.ndarray) -> np.ndarray:
        if self.n <= _WINDOW_BYTES:
            if self._prefix is None:
                self._prefix = self._window_prefix(0, self.n)
            prefix, lo = self._prefix, 0
        else:
            lo, hi = int(s[0]), int(e.max())
            prefix = self._window_prefix(lo, hi)
        if lo:
            s, e = s - lo, e - lo
        pw, _ = _powers(int(e[-1]) + 1 if e.shape[0] else 1)
        with np.errstate(over="ignore"):
            h = pw[e - 1] * (prefix[e] - prefix[s])
            h += (e - s).astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)
            return _mix64(h)

    def ngram_hashes(self, k: int) -> np.ndarray:
        """64-bit hashes of all word k-grams (one hash of the whole text when it has fewer words)."""
        nw = self.num_words
        if nw == 0:
            return np.zeros(0, dtype=np.uint64)
        if nw >= k:
            s = self.starts[: nw - k + 1]
            e = self.ends[k - 1:]
        else:
            s = np.zeros(1, dtype=np.int64)
            e = np.full(1, self.n, dtype=np.int64)
        if self.n <= _WINDOW_BYTES:
            return self._span_hashes(s, e)
        # windows of spans whose bytes fit _WINDOW_BYTES (at least one span each)
        out = np.empty(s.shape[0], dtype=np.uint64)
        i = 0
        while i < s.shape[0]:
            j = int(np.searchsorted(e, s[i] + _WINDOW_BYTES, side="right"))
            j = max(j, i + 1)
            out[i:j] = self._span_hashes(s[i:j], e[i:j])
            i = j
        return out


def shingle_hashes(norm: str, shingle_size: int) -> np.ndarray:
    """Stable 64-bit hashes of the word shingles of a normalized text (see module doc)."""
    return _Spans(norm).ngram_hashes(shingle_size)


# ---------------------------------------------------------------------------------------------- signatures


def permutations(num_perm: int, seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` as uint64 column vectors: ``a`` odd 64-bit, ``b`` 64-bit, derived from ``seed`` by BLAKE2b."""
    a = np.empty((num_perm, 1), dtype=np.uint64)
    b = np.empty((num_perm, 1), dtype=np.uint64)
    for i in range(num_perm):
        d = hashlib.blake2b(f"newsbeam-minhash:{seed}:{i}".encode(), digest_size=16).digest()
        a[i, 0] = int.from_bytes(d[:8], "little") | 1
        b[i, 0] = int.from_bytes(d[8:], "little")
    return a, b


def minhash_signature(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """uint32 MinHash signature of 64-bit shingle hashes under the permutations ``(a, b)``.

    ``h_i(x) = ((a_i * x + b_i) mod 2^64) >> 32`` over the 32-bit values ``x = hash >> 32``
    (multiply-add-shift, a 2-independent family; uint64 wrap-around is the ``mod 2^64``, so it is exact).
    ``(a*x + b) mod (2^61 - 1)`` with ``a, x < 2^32`` (so that the product fits 64 bits) is *not* usable:
    ``a*x + b`` then wraps around ``p`` at most 8 times, the order of ``h`` follows the order of ``x`` and the
    estimates are far off (the tests check estimates against true Jaccard).
    """
    num_perm = a.shape[0]
    if hashes.shape[0] == 0:
        return np.full(num_perm, _EMPTY_VALUE, dtype=np.uint32)
    x = (hashes >> _SHIFT32)[None, :]
    n = x.shape[1]
    out = np.empty(num_perm, dtype=np.uint64)
    step = max(1, min(num_perm, _CHUNK_BYTES // (8 * n)))
    buf = np.empty((min(step, num_perm), n), dtype=np.uint64)
    # ``>> 32`` is monotonic, so the minimum is taken on the full 64-bit values and shifted afterwards
    with np.errstate(over="ignore"):
        for i in range(0, num_perm, step):
            j = min(num_perm, i + step)
            v = buf[:j - i]
            np.multiply(a[i:j], x, out=v)
            np.add(v, b[i:j], out=v)
            v.min(axis=1, out=out[i:j])
    out >>= _SHIFT32
    return out.astype(np.uint32)


def signature_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")


def band_keys(sig: np.ndarray, bands: int, rows: int) -> List[str]:
    """``f"{band}:{16 hex}"`` per band: BLAKE2b-64 of the band's rows (uint32 little-endian)."""
    raw = signature_bytes(sig)
    width = 4 * rows
    return [f"{i}:{hashlib.blake2b(raw[i * width:(i + 1) * width], digest_size=8).hexdigest()}"
            for i in range(bands)]


def estimate_jaccard(sig_a: Any, sig_b: Any) -> float:
    """Share of equal signature positions (signatures as uint32 arrays or their bytes)."""
    a = signature_from_bytes(sig_a) if isinstance(sig_a, (bytes, bytearray)) else np.asarray(sig_a)
    b = signature_from_bytes(sig_b) if isinstance(sig_b, (bytes, bytearray)) else np.asarray(sig_b)
    if a.shape[0] == 0 or a.shape != b.shape:
        return 0.0
    return float(np.count_nonzero(a == b)) / a.shape[0]


# Bits of every byte value (256 x 8, bit i of the byte in column i) and byte-column offsets for simhash.
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)
_BYTE_OFFSETS = (np.arange(8, dtype=np.uint16) * 256)[None, :]


def simhash(hashes: np.ndarray) -> int:
    """64-bit SimHash of 64-bit feature hashes (each occurrence weight 1); 0 for no features.

    Bit ``i`` is set when more than half of the features have bit ``i`` set; the per-bit counts come from one
    histogram of (byte position, byte value) and the bit table of the 256 byte values.
    """
    n = hashes.shape[0]
    if n == 0:
        return 0
    by = hashes.astype("<u8").view(np.uint8).reshape(-1, 8)
    hist = np.bincount((by + _BYTE_OFFSETS).ravel(), minlength=2048).reshape(8, 256)
    ones = (hist @ _BYTE_BITS).ravel()              # ones[8 * byte + bit] = features with that bit set
    bits = np.packbits(2 * ones > n, bitorder="little")
    return int(bits.view("<u8")[0])


def hamming(a: Any, b: Any) -> int:
    """Bit distance of two simhashes (ints or 16-hex strings)."""
    ia = int(a, 16) if isinstance(a, str) else int(a)
    ib = int(b, 16) if isinstance(b, str) else int(b)
    return bin(ia ^ ib).count("1")


# ------------------------------------------------------------------------------------------------- stage


class DedupKeys:
    """Stage ``dedup``: sets ``record["dedup"]`` (keys; cluster = own id) and ``record["_minhash"]``."""

    name = NAME

    def __init__(self, cfg: Dict[str, Any]):
        c = cfg["dedup"]
        self.shingle_size = int(c["shingle_size"])
        self.num_perm = int(c["num_perm"])
        self.bands = int(c["bands"])
        self.rows = int(c["rows"])
        self.a, self.b = permutations(self.num_perm, int(c["seed"]))

    def keys(self, text: Optional[str]) -> Tuple[str, str, List[str], np.ndarray]:
        """``(exact, simhash hex, band keys, signature)`` of a text."""
        norm = normalize(text)
        spans = _Spans(norm)
        hashes = spans.ngram_hashes(self.shingle_size)
        sig = minhash_signature(hashes, self.a, self.b)
        sim = simhash(hashes)
        bands = band_keys(sig, self.bands, self.rows) if norm else []
        return exact_digest(norm), f"{sim:016x}", bands, sig

    def __call__(self, record: Dict[str, Any]) -> Dict[str, Any]:
        exact, sim, bands, sig = self.keys(record.get("text") or "")
        record["dedup"] = {
            "exact": exact,
            "simhash": sim,
            "minhash_bands": bands,
            "cluster": record.get("id"),
            "duplicate_of": None,
            "similarity": None,
        }
        record["_minhash"] = signature_bytes(sig)
        return record


def is_duplicate(record: Dict[str, Any]) -> bool:
    """True for a record resolved as a near-duplicate of another one (``dedup.duplicate_of`` set)."""
    d = record.get("dedup") or {}
    return d.get("duplicate_of") is not None


# ---------------------------------------------------------------------------------- resolution: pure logic

# A node is a plain tuple (cheap to encode, deterministic coder):
# (source, id, published or "", len(text), exact, minhash bytes)
SOURCE, ID, PUBLISHED, LENGTH, EXACT, MINHASH = range(6)
Node = Tuple[str, Any, str, int, str, bytes]


def make_node(record: Dict[str, Any]) -> Node:
    d = record.get("dedup") or {}
    return (str(record.get("source")), record.get("id"), str(record.get("published") or ""),
            len(record.get("text") or ""), str(d.get("exact") or ""), bytes(record.get("_minhash") or b""))


def bucket_keys(record: Dict[str, Any]) -> List[str]:
    """The grouping keys of a record: its band keys and ``"x:" + exact`` (none for an empty text)."""
    d = record.get("dedup") or {}
    bands = list(d.get("minhash_bands") or [])
    if bands and d.get("exact"):
        bands.append("x:" + d["exact"])
    return bands


def node_similarity(a: Node, b: Node) -> float:
    if a[EXACT] and a[EXACT] == b[EXACT]:
        return 1.0
    return estimate_jaccard(a[MINHASH], b[MINHASH])


def verified_pairs(nodes: Iterable[Node], threshold: float) -> List[Tuple[str, str]]:
    """Edges ``(source_a, source_b)`` (a < b) of one bucket whose similarity is >= ``threshold``.

    Members are sorted by source; a pair already connected through earlier edges of this bucket is not
    re-verified (components are what matters), so a bucket yields at most ``n - 1`` edges.
    """
    uniq = {n[SOURCE]: n for n in nodes}
    members = [uniq[s] for s in sorted(uniq)]
    n = len(members)
    if n < 2:
        return []
    sigs = [signature_from_bytes(m[MINHASH]) for m in members]
    width = min((s.shape[0] for s in sigs), default=0)
    mat = np.stack([s[:width] for s in sigs]) if width else np.zeros((n, 0), dtype=np.uint32)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    codes: Dict[str, int] = {}
    exact = np.array([codes.setdefault(m[EXACT], len(codes)) if m[EXACT] else -1 - k
                      for k, m in enumerate(members)], dtype=np.int64)
    edges: List[Tuple[str, str]] = []
    for i in range(n - 1):
        ok = exact[i + 1:] == exact[i]
        if width:
            ok |= np.count_nonzero(mat[i + 1:] == mat[i], axis=1) / width >= threshold
        for j in (np.flatnonzero(ok) + (i + 1)).tolist():
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
                edges.append((members[i][SOURCE], members[j][SOURCE]))
    return edges


def representative_key(node: Node) -> tuple:
    """Sort key of the representative rule: earliest published (missing last), longest, smallest id, source."""
    pub = node[PUBLISHED] or ""
    return (pub == "", pub, -int(node[LENGTH]), str(node[ID] if node[ID] is not None else ""), node[SOURCE])


def history_entry(record: Dict[str, Any]) -> Dict[str, Any]:
    """What a run keeps of a resolved record (with ``_minhash``) for later runs: its node and cluster."""
    d = record.get("dedup") or {}
    return {"key": history_key(record.get("source")), "id": record.get("id"),
            "published": str(record.get("published") or ""), "length": len(record.get("text") or ""),
            "exact": str(d.get("exact") or ""), "bands": list(d.get("minhash_bands") or []),
            "sig": base64.b64encode(bytes(record.get("_minhash") or b"")).decode("ascii"),
            "cluster": d.get("cluster")}


def history_node(entry: Dict[str, Any]) -> Node:
    return (entry["key"], entry["id"], entry["published"], int(entry["length"]), entry["exact"],
            base64.b64decode(entry["sig"].encode("ascii")))


def history_bucket_keys(entry: Dict[str, Any]) -> List[str]:
    keys = list(entry.get("bands") or [])
    if keys and entry.get("exact"):
        keys.append("x:" + entry["exact"])
    return keys


def resolve_clusters(edges: Iterable[Tuple[str, str]], nodes: Iterable[Node],
                     fixed: Optional[Dict[str, Any]] = None
                     ) -> Tuple[Dict[str, Tuple[Any, Any, Optional[float]]], Dict[str, Any]]:
    """Union-find over ``edges`` -> ``({source: (cluster, duplicate_of, similarity)}, stats)``.

    Only members of non-singleton components are in the mapping. ``stats``: ``clusters`` (components with
    two or more members) and ``duplicates`` (members that are not their component's representative).
    Independent of the order of ``edges`` and ``nodes``.

    ``fixed`` maps history nodes (earlier runs) to the cluster they were written with. A component holding
    any keeps the smallest of those clusters as its representative (records already written keep pointing
    at it), new members point at it, and other earlier clusters found to be the same are listed in
    ``stats["merged"]`` (``{absorbed cluster: surviving cluster}``). Counts are of this run's records.
    """
    fixed = {k: v for k, v in (fixed or {}).items() if v is not None}
    merged: Dict[str, Any] = {}
    by_source: Dict[str, Node] = {}
    for n in nodes:
        by_source[n[SOURCE]] = n
    parent: Dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in sorted({tuple(sorted(e)) for e in edges}):
        if a == b:
            continue
        for x in (a, b):
            parent.setdefault(x, x)
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            parent[hi] = lo
    comps: Dict[str, List[str]] = {}
    for x in sorted(parent):
        comps.setdefault(find(x), []).append(x)
    mapping: Dict[str, Tuple[Any, Any, Optional[float]]] = {}
    duplicates = 0
    clusters = 0
    for members in comps.values():
        known = [by_source[s] for s in members if s in by_source]
        if len(known) < 2:
            continue
        earlier = sorted({str(fixed[m[SOURCE]]) for m in known if m[SOURCE] in fixed})
        if earlier:
            rep_id = earlier[0]
            for other in earlier[1:]:
                merged[other] = rep_id
            olds = [m for m in known if m[SOURCE] in fixed]
            rep = next((m for m in olds if str(m[ID]) == rep_id), None) or \
                min((m for m in olds if str(fixed[m[SOURCE]]) == rep_id), key=lambda m: m[SOURCE])
        else:
            rep = min(known, key=representative_key)
            rep_id = rep[ID]
        new = [m for m in known if not is_history(m[SOURCE])]
        if not new:
            continue
        clusters += 1
        for m in new:
            if m[SOURCE] == rep[SOURCE]:
                mapping[m[SOURCE]] = (rep_id, None, None)
            else:
                duplicates += 1
                mapping[m[SOURCE]] = (rep_id, rep_id, round(node_similarity(m, rep), 4))
    return mapping, {"clusters": clusters, "duplicates": duplicates, "merged": dict(sorted(merged.items()))}


def apply_mapping(record: Dict[str, Any], mapping: Dict[str, Tuple[Any, Any, Optional[float]]],
                  keep_signature: bool = False) -> Dict[str, Any]:
    """Fill ``dedup.cluster/duplicate_of/similarity`` from the mapping; drop ``_minhash`` (unless
    ``keep_signature``: incremental runs store it in the state)."""
    rec = dict(record)
    d = dict(rec.get("dedup") or {})
    hit = mapping.get(str(rec.get("source")))
    if hit is None:
        d["cluster"], d["duplicate_of"], d["similarity"] = rec.get("id"), None, None
    else:
        d["cluster"], d["duplicate_of"], d["similarity"] = hit
    rec["dedup"] = d
    if not keep_signature:
        rec.pop("_minhash", None)
    return rec


# ------------------------------------------------------------------------------------- resolution: Beam

import apache_beam as beam  # noqa: E402  (kept below the pure logic, which needs no Beam)
from apache_beam import pvalue  # noqa: E402
from apache_beam.metrics import Metrics  # noqa: E402

_CAPPED = "capped"


def _bucket_group(element, max_bucket_size: int):
    """(bucket key, sources) -> the sorted member tuple of a bucket of 2..max_bucket_size members."""
    _, sources = element
    members = tuple(sorted(set(sources)))
    if len(members) > max_bucket_size:
        Metrics.counter("dedup", "capped_buckets").inc()
        yield pvalue.TaggedOutput(_CAPPED, 1)
    elif len(members) >= 2:
        yield members


def _group_id(members: Tuple[str, ...]) -> bytes:
    return hashlib.blake2b("\0".join(members).encode("utf-8"), digest_size=16).digest()


def _memberships(members: Tuple[str, ...]):
    gid = _group_id(members)
    return [(s, gid) for s in members]


def _nodes_to_groups(element):
    _, joined = element
    groups = joined["groups"]
    nodes = joined["nodes"]
    if not groups or not nodes:
        return
    node = min(nodes)
    for gid in sorted(set(groups)):
        yield gid, node


class _GroupPairs(beam.DoFn):
    def __init__(self, threshold: float):
        self.threshold = threshold

    def process(self, element):
        _, nodes = element
        nodes = list(nodes)
        if len(nodes) < 2:
            return
        by_source = {n[SOURCE]: n for n in nodes}
        for a, b in verified_pairs(nodes, self.threshold):
            yield (a, b)
            yield pvalue.TaggedOutput("nodes", by_source[a])
            yield pvalue.TaggedOutput("nodes", by_source[b])


def _resolve(_, edges, nodes, capped, fixed):
    mapping, stats = resolve_clusters(edges, nodes, dict(fixed))
    stats["capped_buckets"] = int(capped)
    return {"mapping": mapping, "stats": stats}


class ResolveDuplicates(beam.PTransform):
    """Records with dedup keys -> ``{"docs": records resolved, "stats": one dict}``.

    Usage: ``res = records | ResolveDuplicates(cfg)``; ``res["docs"]`` are the records with
    ``dedup.cluster/duplicate_of/similarity`` filled and ``_minhash`` dropped; ``res["stats"]`` is one dict
    ``{"clusters", "duplicates", "capped_buckets"}`` for the manifest (also the Beam counter
    ``dedup/capped_buckets``). Route ``is_duplicate(record)`` records to rejects (reason ``duplicate``) for
    ``--drop-duplicates``. Only small nodes, edges and the non-singleton mapping move between workers.

    Components are connected components of verified pairs, so a member's similarity to its
    representative (reported as-is) can be below ``dedup.threshold`` when they are linked through others.
    """

    def __init__(self, cfg: Dict[str, Any], label: str = "ResolveDuplicates", history=None,
                 keep_signatures: bool = False, spill_dir: Optional[str] = None):
        """``history``: optional PCollection of earlier runs' entries (``history_entry``), matched like
        records but never output; ``keep_signatures`` keeps ``_minhash`` on the output records;
        ``spill_dir``: the records wait for the mapping in spill files there, not in memory
        (``transforms.base.apply_after``)."""
        super().__init__(label=label)
        self.history = history
        self.spill_dir = spill_dir
        self.keep_signatures = keep_signatures
        c = cfg["dedup"]
        self.threshold = float(c["threshold"])
        self.max_bucket_size = int(c["max_bucket_size"])

    def expand(self, records):
        # 1. band/exact key -> member sources only (small); buckets of 2+ members become member tuples,
        #    identical tuples (a pair sharing many bands) once.
        keys = records | "BucketKeys" >> beam.FlatMap(lambda r: [(k, str(r.get("source"))) for k in bucket_keys(r)])
        nodes_by_source = records | "Nodes" >> beam.Map(lambda r: (str(r.get("source")), make_node(r)))
        if self.history is not None:
            h = self.history
            keys = (keys, h | "HistoryKeys" >> beam.FlatMap(lambda e: [(k, e["key"]) for k in history_bucket_keys(e)])
                    ) | "AllKeys" >> beam.Flatten()
            nodes_by_source = (nodes_by_source, h | "HistoryNodes" >> beam.Map(lambda e: (e["key"], history_node(e)))
                               ) | "AllNodes" >> beam.Flatten()
            fixed = h | "FixedClusters" >> beam.Map(lambda e: (e["key"], e.get("cluster")))
        else:
            fixed = records.pipeline | "NoHistory" >> beam.Create([])
        groups = (keys
                  | "GroupBuckets" >> beam.GroupByKey()
                  | "BucketGroups" >> TaggedOutputs(_bucket_group, [_CAPPED], "groups", self.max_bucket_size))
        distinct = groups["groups"] | "DistinctGroups" >> beam.Distinct()
        # 2. the small node of each candidate record joins its groups; 3. verify pairs per group.
        memberships = distinct | "Memberships" >> beam.FlatMap(_memberships)
        pairs = ({"nodes": nodes_by_source, "groups": memberships}
                 | "JoinNodes" >> beam.CoGroupByKey()
                 | "NodesToGroups" >> beam.FlatMap(_nodes_to_groups)
                 | "GroupCandidates" >> beam.GroupByKey()
                 | "VerifyPairs" >> TaggedOutputs(_GroupPairs(self.threshold), ["nodes"], "edges"))
        edges = pairs["edges"] | "DistinctEdges" >> beam.Distinct()
        nodes = pairs["nodes"] | "DistinctNodes" >> beam.Distinct()
        capped = groups[_CAPPED] | "CountCapped" >> beam.CombineGlobally(SumCombineFn())
        resolved = (records.pipeline
                    | "One" >> beam.Create([None])
                    | "Resolve" >> beam.Map(_resolve, edges=pvalue.AsList(edges),
                                            nodes=pvalue.AsList(nodes), capped=pvalue.AsSingleton(capped),
                                            fixed=pvalue.AsList(fixed)))
        mapping = resolved | "Mapping" >> beam.Map(lambda r: r["mapping"])
        stats = resolved | "Stats" >> beam.Map(lambda r: r["stats"])
        docs = apply_after(records, "ApplyMapping", apply_mapping, pvalue.AsSingleton(mapping),
                           self.keep_signatures, spill_dir=self.spill_dir)
        return {"docs": docs, "stats": stats}
