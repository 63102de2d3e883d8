"""What every stage shares: the record shape, the reject signal and the Beam wrapper.

A stage is a class built once per worker from the whole validated config (``Stage(cfg)``) and then called
once per record (``stage(record) -> record``). The call is plain Python: no Beam in it, so it is tested
directly and reused by the benchmark's plain loop. A document that cannot go on raises :class:`Reject`
with a reason code; the wrapper turns it (or any unexpected exception, reason ``error``) into a reject
record on the ``rejects`` output, so nothing is lost silently and bad documents never fail a run.

Record fields while in flight (a plain dict):

- contract fields (``id``, ``source``, ``url``, ``title``, ``authors``, ``published``, ``site``, ``text``,
  ``lang``, ``lang_score``, ``boilerplate``, ``dedup``, ``event``) filled stage by stage;
- internal fields start with ``_`` and are dropped by the writer: ``_format`` (``html``, ``text`` or
  ``markdown``), ``_raw`` (the decoded input document, removed by ``extract``), ``_minhash`` and other
  per-stage scratch values.
"""
from __future__ import annotations

import atexit
import collections
import hashlib
import logging
import multiprocessing
import pickle
import signal
import threading
import traceback
from typing import Any, Callable, Dict, Iterable, Optional

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.utils.windowed_value import WindowedValue

log = logging.getLogger(__name__)

REJECTS = "rejects"

# Keys of earlier runs' records (``--state``) in the cross-record stages: ``h:<source>``; never output.
HISTORY_PREFIX = "h:"


def history_key(source: Any) -> str:
    return HISTORY_PREFIX + str(source)


def is_history(key: Any) -> bool:
    """True for keys of earlier runs' records, whose cluster or event id is fixed."""
    return str(key).startswith(HISTORY_PREFIX)


class Reject(Exception):
    """Raised by a stage for a document that cannot go on; becomes a reject record."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(f"{reason}: {message}" if message else reason)
        self.reason = reason
        self.message = message or reason


def reject_record(record: Dict[str, Any], stage: str, reason: str, message: str) -> Dict[str, Any]:
    """The contract's reject shape: ``{"source", "id", "stage", "reason", "message"}``."""
    return {
        "source": record.get("source"),
        "id": record.get("id"),
        "stage": stage,
        "reason": reason,
        "message": str(message)[:500],
    }


def run_stage(stage: Callable[[Dict[str, Any]], Dict[str, Any]], name: str,
              record: Dict[str, Any]) -> tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
    """Call one stage on one record: ``(record, None)`` or ``(None, reject)``. Never raises."""
    try:
        return stage(record), None
    except Reject as exc:
        return None, reject_record(record, name, exc.reason, exc.message)
    except Exception as exc:  # a bug or a pathological document: reject it, keep the run going
        log.warning("stage %s failed on %s: %s", name, record.get("source"), traceback.format_exc(limit=3))
        return None, reject_record(record, name, "error", f"{type(exc).__name__}: {exc}")


class _StageDoFn(beam.DoFn):
    def __init__(self, factory: Callable[[Dict[str, Any]], Callable], name: str, cfg: Dict[str, Any]):
        self._factory = factory
        self._name = name
        self._cfg = cfg
        self._stage = None

    def setup(self):
        self._stage = self._factory(self._cfg)

    def teardown(self):
        close = getattr(self._stage, "close", None)
        if close is not None:
            close()

    def process(self, record: Dict[str, Any]) -> Iterable[Any]:
        out, rej = run_stage(self._stage, self._name, record)
        if rej is not None:
            yield pvalue.TaggedOutput(REJECTS, rej)
        else:
            yield out


# ----------------------------------------------------------------------------------- process pools
# A pool of worker processes per Beam worker process, shared by every pooled stage chain of the pipeline
# (so the stages' models are loaded once per pool process, and only ``processes`` extra processes exist).
# Pool processes are spawned (no state of the runner's threads is inherited) and build each stage lazily.

_POOL_STAGES: Dict[Any, Any] = {}
_POOL_CFG: Optional[Dict[str, Any]] = None
_POOLS: Dict[Any, list] = {}  # key -> [pool, users]
_POOLS_LOCK = threading.Lock()


def _pool_init(cfg):
    global _POOL_CFG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _POOL_CFG = cfg


def _pool_stage(factory):
    """In a pool process: the stage built by ``factory``, built on first use."""
    stage = _POOL_STAGES.get(factory)
    if stage is None:
        stage = _POOL_STAGES[factory] = factory(_POOL_CFG)
    return stage


def _pool_chain(args):
    """In a pool process: runs the chain ``[(factory, name), ...]`` on one record ->
    ``(record or None, reject or None, names of the stages it passed)``."""
    chain, record = args
    passed = []
    for factory, name in chain:
        record, rej = run_stage(_pool_stage(factory), name, record)
        if rej is not None:
            return None, rej, passed
        passed.append(name)
    return record, None, passed


def _pool_warm(factories) -> int:
    """In a pool process: builds the stages of ``factories`` not built yet (and loads what their first
    record would, ``stage.warm()``). Returns the number built."""
    built = 0
    for factory in factories:
        if factory not in _POOL_STAGES:
            warm = getattr(_pool_stage(factory), "warm", None)
            if warm is not None:
                warm()
            built += 1
    return built


def _acquire_pool(processes: int, cfg: Dict[str, Any]):
    key = (processes, hashlib.sha1(pickle.dumps(cfg, protocol=4)).hexdigest())
    with _POOLS_LOCK:
        entry = _POOLS.get(key)
        if entry is None:
            for other in [k for k, e in _POOLS.items() if e[1] <= 0]:  # one idle pool at most (another config's)
                _POOLS.pop(other)[0].terminate()
            pool = multiprocessing.get_context("spawn").Pool(processes, initializer=_pool_init, initargs=(cfg,))
            entry = _POOLS[key] = [pool, 0]
        entry[1] += 1
        return key, entry[0]


def _release_pool(key) -> None:
    """The pool stays up when its last user is done (kept for the next run in this process: the micro-batches
    of --streaming would otherwise start new processes every batch); it ends with the process."""
    with _POOLS_LOCK:
        entry = _POOLS.get(key)
        if entry is not None:
            entry[1] -= 1


@atexit.register
def _end_pools() -> None:
    with _POOLS_LOCK:
        for pool, _ in _POOLS.values():
            pool.terminate()
        _POOLS.clear()


class _PooledChainDoFn(beam.DoFn):
    """A chain of per-record stages run by the process pool over batches of records; emits ``(tag, value)``
    pairs in input order: ``(main, record)``, ``(rejects, reject)`` and ``("passed", stage name)`` for every
    stage a record got through (the per-stage counts).

    Batches are pipelined: a batch is handed to the pool as soon as it arrives, and the results of the batch
    before it are emitted only then (the rest at the end of the bundle). So the pool always has the next
    batch queued while this process reads input and runs the steps fused after this one, and no pool process
    waits for the slowest record of a batch. At most two batches are in flight."""

    AHEAD = 1  # batches queued in the pool beyond the one whose results are being emitted

    def __init__(self, chain, cfg: Dict[str, Any], processes: int, warm=()):
        self._chain, self._cfg, self._processes = list(chain), cfg, int(processes)
        self._warm = list(warm)
        self._key = self._pool = None
        self._pending: collections.deque = collections.deque()

    def setup(self):
        self._key, self._pool = _acquire_pool(self._processes, self._cfg)

    def teardown(self):
        if self._key is not None:
            _release_pool(self._key)
            self._key = self._pool = None

    def start_bundle(self):
        self._pending = collections.deque()  # a retried bundle starts afresh

    def process(self, batch, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        results = self._pool.imap(_pool_chain, [(self._chain, r) for r in batch], chunksize=1)
        self._pending.append((results, timestamp, window))
        while len(self._pending) > self.AHEAD:
            yield from self._emit(self._pending.popleft())

    def finish_bundle(self):
        while self._pending:
            yield from self._emit(self._pending.popleft())
        if self._warm:
            # the pool is idle until the next chain's records arrive (after a cross-record stage): build
            # that chain's stages now, one task per pool process (best effort; a stage not built here is
            # built on its first record)
            self._pool.map_async(_pool_warm, [self._warm] * self._processes, chunksize=1)

    @staticmethod
    def _emit(entry):
        # explicit windowed values: a batch's results may be emitted while a later batch is being processed
        results, timestamp, window = entry
        windows = (window,)
        for out, rej, passed in results:
            for name in passed:
                yield WindowedValue((PASSED, name), timestamp, windows)
            if rej is not None:
                yield WindowedValue((REJECTS, rej), timestamp, windows)
            else:
                yield WindowedValue((_MAIN, out), timestamp, windows)


PASSED = "passed"


class ApplyChain(beam.PTransform):
    """Per-record stages ``[(factory, name), ...]`` run one after the other in a pool of ``processes`` worker
    processes (see above), fed in batches of ``batch_per_process * processes`` records. Returns ``{"docs",
    "rejects", "passed"}``; ``passed`` holds one stage name per record that got through that stage. Output and
    rejects are the same as running the stages in this process."""

    def __init__(self, chain, cfg: Dict[str, Any], processes: int, batch_per_process: int = 16,
                 label: Optional[str] = None, warm=()):
        """``warm``: stage factories of the chains that follow, built in the pool processes once this
        chain's bundle is done (while the pool would otherwise wait for their records)."""
        super().__init__(label=label or "+".join(name for _, name in chain))
        self._chain, self._cfg, self._warm = list(chain), cfg, list(warm)
        self._processes = max(1, int(processes))
        self._batch = max(1, int(batch_per_process)) * self._processes

    def expand(self, pcoll):
        pairs = (pcoll
                 | "Batch" >> beam.BatchElements(min_batch_size=self._batch, max_batch_size=self._batch)
                 | "Pool" >> beam.ParDo(_PooledChainDoFn(self._chain, self._cfg, self._processes, self._warm)))
        return split_pairs(pairs, "docs", [REJECTS, PASSED])


class ApplyStage(beam.PTransform):
    """Runs a per-record stage; returns ``{"docs": PCollection, "rejects": PCollection}``."""

    def __init__(self, factory: Callable[[Dict[str, Any]], Callable], name: str, cfg: Dict[str, Any]):
        super().__init__(label=name)
        self._factory = factory
        self._name = name
        self._cfg = cfg

    def expand(self, pcoll):
        return pcoll | TaggedOutputs(_StageDoFn(self._factory, self._name, self._cfg), [REJECTS], "docs")


class SumCombineFn(beam.CombineFn):
    """Sum of numbers, or element-wise sum of equal-length tuples of numbers.

    An explicit CombineFn instead of ``CombinePerKey(sum)``: some runners (Beam's DaskRunner) mishandle the
    accumulators of plain callables wrapped as combiners.
    """

    def __init__(self, width: int = 0):
        self.width = int(width)  # 0: plain numbers; n: tuples of n numbers

    def create_accumulator(self):
        return [0] * self.width if self.width else 0

    def add_input(self, acc, value):
        if not self.width:
            return acc + value
        for i, v in enumerate(value):
            acc[i] += v
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for acc in accs:
            out = self.add_input(out, acc)
        return out

    def extract_output(self, acc):
        return tuple(acc) if self.width else acc


# ------------------------------------------------------------------------------------- tagged outputs

_MAIN = "__main__"


def _pick(kv, tag):
    if kv[0] == tag:
        yield kv[1]


def split_pairs(pairs, main: str, tags) -> Dict[str, Any]:
    """``(tag, value)`` pairs (main output tagged ``_MAIN``) -> ``{main: pcoll, tag: pcoll, ...}``."""
    out = {main: pairs | f"Out[{main}]" >> beam.FlatMap(_pick, _MAIN)}
    for tag in tags:
        out[tag] = pairs | f"Out[{tag}]" >> beam.FlatMap(_pick, tag)
    return out


class _Wrapper(beam.DoFn):
    """A DoFn around ``inner`` (a DoFn, or a plain function): passes the lifecycle calls on to a DoFn."""

    _what = "this wrapper"

    def __init__(self, inner):
        self._inner = inner

    def setup(self):
        if isinstance(self._inner, beam.DoFn):
            self._inner.setup()

    def start_bundle(self):
        if isinstance(self._inner, beam.DoFn):
            self._inner.start_bundle()

    def finish_bundle(self):
        if isinstance(self._inner, beam.DoFn) and self._inner.finish_bundle() is not None:
            raise ValueError(f"{self._what} does not support DoFns that emit from finish_bundle")

    def teardown(self):
        if isinstance(self._inner, beam.DoFn):
            self._inner.teardown()


class _AsPairs(_Wrapper):
    """Runs ``inner`` (a DoFn, or a plain function used like FlatMap's) and emits every output as a
    ``(tag, value)`` pair: ``TaggedOutput(tag, v)`` -> ``(tag, v)``, any other output ``v`` -> (main, v)."""

    _what = "TaggedOutputs"

    def process(self, element, *args, **kwargs):
        fn = self._inner.process if isinstance(self._inner, beam.DoFn) else self._inner
        for out in fn(element, *args, **kwargs) or ():
            if isinstance(out, pvalue.TaggedOutput):
                yield out.tag, out.value
            else:
                yield _MAIN, out


class TaggedOutputs(beam.PTransform):
    """``ParDo(fn, *args, **kwargs).with_outputs(*tags, main=main)`` as a dict ``{main: pcoll, tag: pcoll}``,
    portable to every runner.

    Beam's DaskRunner keeps one output per transform and hands every tagged output of a multi-output ParDo
    to each consumer, mixing them. Here the outputs travel as ``(tag, value)`` pairs on one PCollection and
    are split by tag afterwards (the splitting maps are fused with the ParDo on the local runner).
    """

    def __init__(self, fn, tags, main: str, *args, label: Optional[str] = None, **kwargs):
        super().__init__(label=label)
        self._fn, self._tags, self._main = fn, list(tags), main
        self._args, self._kwargs = args, kwargs

    def expand(self, pcoll):
        pairs = pcoll | "Tag" >> beam.ParDo(_AsPairs(self._fn), *self._args, **self._kwargs)
        return split_pairs(pairs, self._main, self._tags)


# ------------------------------------------------------------------------------------------ spill files
#
# On the local runner every PCollection that feeds a step waiting for a side input is held whole in memory
# until that side input is ready. Before such a step (the three cross-record stages apply their results to
# the records) the records are spilled to files instead: each bundle streams its records into gzip'd pickle
# files in the run's temporary folder and emits only the file paths, and the step that takes the side input
# reads them back one at a time. Memory then holds small keys and paths, not documents. The files go with
# the temporary folder at the end of the run (kept until then: a retried bundle may read them again).

SPILL_RECORDS = 1000  # records per spill file


class _SpillRecords(beam.DoFn):
    """Streams records into spill files; emits each file's path when it is opened (nothing from
    ``finish_bundle``, which some runners drop; the file is complete when the bundle is)."""

    def __init__(self, tmp_dir: str, label: str):
        self._tmp_dir = tmp_dir
        self._label = label

    def start_bundle(self):
        self._raw = self._gz = None
        self._n = 0

    def _close(self):
        if self._gz is not None:
            self._gz.close()
            self._raw.close()
        self._raw = self._gz = None
        self._n = 0

    def process(self, record):
        import gzip
        import uuid

        from apache_beam.io.filesystem import CompressionTypes
        from apache_beam.io.filesystems import FileSystems
        out = []
        if self._gz is None:
            path = FileSystems.join(self._tmp_dir, f"spill-{self._label}-{uuid.uuid4().hex}.pkl.gz")
            self._raw = FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED)
            self._gz = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=1, mtime=0)
            out.append(path)
        pickle.dump(record, self._gz, protocol=4)
        self._n += 1
        if self._n >= SPILL_RECORDS:
            self._close()
        return out

    def finish_bundle(self):
        self._close()

    def teardown(self):
        self._close()


def read_spilled(path: str):
    """The records of one spill file, in the order written."""
    import gzip

    from apache_beam.io.filesystem import CompressionTypes
    from apache_beam.io.filesystems import FileSystems
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
        with gzip.GzipFile(fileobj=raw, mode="rb") as gz:
            while True:
                try:
                    yield pickle.load(gz)
                except EOFError:
                    return


class SpillRecords(beam.PTransform):
    """``records | SpillRecords(tmp_dir, label)`` -> paths of spill files holding them (see above); read
    them back in the step that waits for a side input, with :class:`FromSpill`."""

    def __init__(self, tmp_dir: str, label: str):
        super().__init__(label=f"Spill[{label}]")
        self._tmp_dir, self._name = tmp_dir, label

    def expand(self, records):
        # a file's path is emitted when it is opened; the reshuffle (of paths only) is a barrier on every
        # runner, so no reader sees a path before the bundle that writes the file has finished
        return (records | "Write" >> beam.ParDo(_SpillRecords(self._tmp_dir, self._name))
                | "Barrier" >> beam.Reshuffle())


class FromSpill(_Wrapper):
    """Runs ``inner`` (a DoFn, or a plain function used like Map's) over every record of a spill file
    (the element) with the same side inputs, as if the records were the elements."""

    _what = "FromSpill"

    def process(self, path, *args, **kwargs):
        for record in read_spilled(path):
            if isinstance(self._inner, beam.DoFn):
                yield from (self._inner.process(record, *args, **kwargs) or ())
            else:
                yield self._inner(record, *args, **kwargs)


def apply_after(records, label: str, fn, *args, spill_dir: Optional[str] = None, **kwargs):
    """``records | ParDo(fn, *args)`` (``fn`` a DoFn) or ``| Map(fn, *args)`` (a function), where ``args``
    hold side inputs; with ``spill_dir`` the records wait in spill files instead of memory."""
    if spill_dir:
        return (records | SpillRecords(spill_dir, label)
                | label >> beam.ParDo(FromSpill(fn), *args, **kwargs))
    if isinstance(fn, beam.DoFn):
        return records | label >> beam.ParDo(fn, *args, **kwargs)
    return records | label >> beam.Map(fn, *args, **kwargs)
