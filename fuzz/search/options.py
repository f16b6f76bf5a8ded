"""What a campaign is asked to do, and what it derives from that before the first example.

``CampaignOptions`` is the one frozen record of a user's choices: the CLI
builds it from its flags, tests and benchmarks build it directly. Everything
else is derived from it, in one place:

* ``prepare`` does the work worth doing once per campaign, before any worker
  starts: it takes the baseline's accepted signatures, reads the seed file,
  harvests the dictionary, resolves and checks the example database (in
  the parent: a bad one is one usage error, not one traceback per worker)
  and derives its key. A ``Preparation`` pickles, so workers get it as is.
  (The targets are checked by ``targets_for``, the resumed corpus read by
  the caller);
* ``settings_for`` gives the engine's ``CampaignSettings`` of one campaign
  process; a worker first narrows the options with ``attrs.evolve`` (its own
  seed and share of the examples) and derives its settings the same way;
* ``conversations_for`` gives the strategy a campaign draws from.

Importing this module imports no Hypothesis and no analyzer: the CLI builds
options while it parses.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from fuzz import defaults

if TYPE_CHECKING:
    from hypothesis import strategies as st

    from fuzz.engine.outcomes import Conversation, Target
    from fuzz.engine.targets import TargetOptions
    from fuzz.gate.baseline import Baseline
    from fuzz.search.campaign import Campaign, CampaignSettings, Coordinator
    from fuzz.search.events import Sink
    from strategies.dictionary import Dictionary


StrategyFactory = Callable[..., "st.SearchStrategy[Conversation]"]
"""Builds the conversation strategy: called with the keywords of
``fuzz.search.inputs.campaign_conversations`` (``seed_chats``, ``dictionary``).
It must pickle (a module-level function or a ``functools.partial``), since
workers rebuild their strategy in their own process."""


@attrs.frozen
class CampaignOptions:
    """One campaign, as the user asked for it (the CLI's flags, one field each).

    ``database`` is a ``--database`` spec; None means the default folder
    beside the corpus. ``conversations`` replaces what a campaign draws (tests
    plant toy strategies here); None is ``campaign_conversations``.
    ``stop_when`` ends the campaign once, for each of its signature
    prefixes, a shrunk bug starts with it (the demo knows what it planted).
    """

    reference: str
    candidate: str
    seed: int
    timeout: float = defaults.TIMEOUT
    budget: float | None = None
    max_examples: int | None = None
    batch_size: int = defaults.BATCH_SIZE
    corpus: Path = Path("corpus")
    shrunk: Path = Path("shrunk")
    command: str = ""
    baseline: Path | None = None
    out: Path | None = None
    drift_threshold: float = defaults.DRIFT_THRESHOLD
    seeds: Path | None = None
    dictionary: tuple[Path, ...] = attrs.field(default=(), converter=tuple)
    stop_when: tuple[str, ...] = ()
    workers: int = 1
    resume: bool = False
    database: str | None = "none"
    conversations: StrategyFactory | None = attrs.field(default=None, eq=False)
    #: Run a ``py:`` target in a child process of its own (``--isolate``).
    isolate: bool = False
    #: Bytes of memory every process a target runs in may use (``--max-memory``).
    max_memory: int | None = None

    @property
    def targets(self) -> TargetOptions:
        """How this campaign starts its targets."""
        from fuzz.engine.targets import TargetOptions

        return TargetOptions(self.timeout, self.isolate, self.max_memory)

    @property
    def default_database(self) -> Path:
        """Where the example database lives unless ``--database`` says otherwise."""
        return (self.corpus.parent / ".signals-fuzz" / "examples").absolute()


@attrs.frozen
class Preparation:
    """What a campaign derives once from its options, for itself and every worker.

    ``set_aside`` holds every bug the search skips: the baseline's
    (``accepted``, which the reports count as accepted) and the ones
    ``--resume`` found shrunk in the corpus (``resumed``, which still fail).
    """

    accepted: frozenset[str] = frozenset()
    resumed: frozenset[str] = frozenset()
    seed_chats: tuple[Any, ...] = ()
    dictionary: Dictionary | None = None
    database: str | None = None
    database_key: bytes = defaults.DATABASE_KEY

    @property
    def set_aside(self) -> frozenset[str]:
        return self.accepted | self.resumed


def prepare(
    options: CampaignOptions, baseline: Baseline, *, resumed: frozenset[str] = frozenset()
) -> Preparation:
    """Read and check everything the options name; ``UsageError`` on the first bad one.

    ``baseline`` is the one the options name, read once by the caller (which
    files root causes against it and reports it too); ``resumed`` is what
    ``--resume`` sets aside (read from the corpus by the caller, which opens it).
    """
    from fuzz.gate.seed_files import read_seed_file
    from fuzz.search.database import open_database, resolve_database_spec
    from fuzz.search.harvest import harvest

    harvested = harvest(options.dictionary) if options.dictionary else None
    database = resolve_database_spec(options.database, default_dir=options.default_database)
    open_database(database, default_dir=None)  # checked here; each process opens its own
    return Preparation(
        accepted=baseline.accepted(datetime.date.today()),
        resumed=resumed,
        seed_chats=tuple(read_seed_file(options.seeds)) if options.seeds is not None else (),
        dictionary=harvested,
        database=database,
        database_key=database_key(options.batch_size, options.seeds, harvested),
    )


def database_key(batch_size: int, seeds: Path | None, harvested: object) -> bytes:
    """The example database key of what a campaign draws.

    Choice sequences only mean something to the strategy that made them, so
    campaigns share a key exactly when they draw alike: same fuzzer version,
    batch size, seed file contents and harvested dictionary.
    """
    import fuzz

    digest = hashlib.sha256(f"{fuzz.__version__}|{int(batch_size)}".encode())
    if seeds is not None:
        digest.update(seeds.read_bytes())
    if harvested is not None:
        digest.update(repr(harvested).encode("utf-8", "backslashreplace"))
    return b"signals-fuzz.campaign." + digest.hexdigest()[:16].encode()


def targets_for(options: CampaignOptions) -> tuple[Target, Target]:
    """The reference and candidate the options name (``UsageError`` if one is not runnable)."""
    return options.targets.parse(options.reference), options.targets.parse(options.candidate)


def settings_for(options: CampaignOptions, preparation: Preparation) -> CampaignSettings:
    """The engine settings of one campaign process (opens the example database)."""
    from fuzz.search.campaign import CampaignSettings
    from fuzz.search.database import open_database

    return CampaignSettings(
        seed=options.seed,
        max_examples=options.max_examples,
        budget=options.budget,
        batch_size=options.batch_size,
        set_aside=preparation.set_aside,
        command=options.command,
        database=open_database(preparation.database, default_dir=None),
        database_key=preparation.database_key,
        stop_when=options.stop_when,
    )


def conversations_for(
    options: CampaignOptions, preparation: Preparation
) -> st.SearchStrategy[Conversation]:
    """The strategy a campaign draws one conversation at a time from."""
    from fuzz.search.inputs import campaign_conversations

    factory = options.conversations or campaign_conversations
    dictionary: Dictionary | Sequence[str] = preparation.dictionary or ()
    return factory(seed_chats=preparation.seed_chats, dictionary=dictionary)


def campaign_for(
    options: CampaignOptions,
    preparation: Preparation,
    sink: Sink,
    coordinator: Coordinator | None = None,
    *,
    targets: tuple[Target, Target] | None = None,
) -> Campaign:
    """One campaign process: its targets (built here unless given), settings and strategy,
    emitting to ``sink``."""
    from fuzz.search.campaign import Campaign

    reference, candidate = targets if targets is not None else targets_for(options)
    return Campaign(
        reference,
        candidate,
        settings_for(options, preparation),
        sink,
        conversations=conversations_for(options, preparation),
        coordinator=coordinator,
    )
