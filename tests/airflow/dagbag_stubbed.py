"""Run inside the Airflow venv: DagBag over a repository copy, third-party modules stubbed.

Production DAG repositories import providers and libraries that the oracle's venv does not have
(the Kubernetes or Google provider, pandas, boto3...). A module no finder can import becomes a stub:
its capitalised names ending in ``Operator``/``Sensor`` are real operator classes (subclasses of
Airflow's ``BaseOperator``/``BaseSensorOperator`` that accept and drop the keywords Airflow does not
know), anything else is a permissive placeholder. The repository's own modules are never stubbed:
they import for real, so its own operator subclasses and helpers build the graph Airflow builds.
Airflow 2 spellings that Airflow 3 removed (``schedule_interval``, ``days_ago``, ``DummyOperator``)
are mapped to their Airflow 3 equivalents: they change no task or edge.

    python dagbag_stubbed.py OUT.json DAG_FOLDER [DAG_FOLDER...]

Writes ``{"dags": [{dag_id, file, tasks, edges}...], "import_errors": {...}, "stubbed": [...]}``; used only by the tests and
``benchmarks/airflow_oracle.py`` (wflint itself never imports Airflow).
"""
import datetime
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import sys
import types
import warnings

warnings.simplefilter("ignore")
STUBBED: list = []


class Anything:
    """A placeholder value: every call, attribute, item and operator gives another placeholder."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a decorator: keep the function
        return Anything()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __getitem__(self, key):
        return Anything()

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return True

    def __str__(self):
        return "stub"

    __add__ = __radd__ = __or__ = __ror__ = __truediv__ = __mod__ = lambda self, *a: Anything()


class _AnyMeta(type):
    """Class attributes of a placeholder class (``AirflowConns.OBSERVATORY_API``) are placeholders."""

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()


class AnyClass(Anything, metaclass=_AnyMeta):
    """A placeholder class (hooks, clients, models): subclassable, instances are placeholders."""

    def __init_subclass__(cls, **kwargs):
        pass


def _accepting(base):
    """An operator class on ``base`` that keeps the keywords ``base`` accepts and drops the rest."""
    known = {name for klass in base.__mro__ if "__init__" in vars(klass)
             for name in inspect.signature(vars(klass)["__init__"]).parameters}  # a sensor's and BaseOperator's

    def __init__(self, *args, **kwargs):
        kept = {k: v for k, v in kwargs.items() if k in known}
        base.__init__(self, **kept)

    return __init__


def _operator_class(name: str):
    from airflow.sdk import BaseOperator, BaseSensorOperator

    base = BaseSensorOperator if name.endswith(("Sensor", "SensorAsync")) else BaseOperator
    attrs = {"__init__": _accepting(base), "template_fields": (), "_wflint_stub": True}
    if base is BaseSensorOperator:
        attrs["poke"] = lambda self, context: True
    else:
        attrs["execute"] = lambda self, context: None
    return type(name, (base,), attrs)


class StubModule(types.ModuleType):
    """A module no finder has: operator classes, placeholder classes, and lowercase names that are
    submodules (``from provider.operators import bigquery``) or, called, placeholder functions."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name[:1].isupper() and name.endswith(("Operator", "Sensor", "SensorAsync")):
            value = _operator_class(name)
        elif name[:1].isupper():
            value = type(name, (AnyClass,), {})
        else:
            value = importlib.import_module(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return Anything()


class StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        STUBBED.append(module.__name__)


class StubFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: asked only for a module that no real finder can import."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in LOCAL_TOPS:
            return None  # the repository's own code: a missing piece is a real import error
        parent = sys.modules.get(name.rpartition(".")[0])
        if not isinstance(parent, StubModule) and not _imported_by_the_repository():
            return None  # Airflow's own optional imports keep failing as they would
        return importlib.machinery.ModuleSpec(name, StubLoader(), is_package=True)


LOCAL_TOPS: set = set()
REPOSITORY_ROOTS: list = []


def _imported_by_the_repository() -> bool:
    """Whether the import statement being run sits in a file of the repository copy."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<frozen") and "importlib" not in name:
            return any(name.startswith(root) for root in REPOSITORY_ROOTS)
        frame = frame.f_back
    return False


def _airflow2_spellings() -> None:
    """Airflow 2 keywords and helpers that Airflow 3 removed, mapped to what they meant."""
    import airflow.sdk
    from airflow.providers.standard.operators.empty import EmptyOperator

    dag_init = airflow.sdk.DAG.__init__

    def __init__(self, *args, **kwargs):
        if "schedule_interval" in kwargs:
            kwargs.setdefault("schedule", kwargs.pop("schedule_interval"))
        if "concurrency" in kwargs:
            kwargs.setdefault("max_active_tasks", kwargs.pop("concurrency"))
        dag_init(self, *args, **kwargs)

    airflow.sdk.DAG.__init__ = __init__
    import airflow.utils.dates as dates

    if not hasattr(dates, "days_ago"):
        dates.days_ago = lambda n, *a, **k: datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) - \
            datetime.timedelta(days=n)
    import airflow.settings

    if not hasattr(airflow.settings, "SASession"):  # Airflow 2's alias for SQLAlchemy's Session
        from sqlalchemy.orm import Session

        airflow.settings.SASession = Session
    dummy = types.ModuleType("airflow.operators.dummy")
    dummy.DummyOperator = EmptyOperator
    sys.modules["airflow.operators.dummy"] = dummy
    sys.modules["airflow.operators.dummy_operator"] = dummy


def _placeholders_read_as_empty_json() -> None:
    """Text a stubbed client returns (an S3 object, an HTTP body) is a placeholder: read as JSON it
    is an empty list, as from a fresh bucket; a placeholder written as JSON is the text ``stub``.
    A graph that depended on it would differ from wflint's,
    which reads no such data, and the comparison would show it."""
    original = json.loads

    def loads(text, *args, **kwargs):
        return [] if isinstance(text, Anything) else original(text, *args, **kwargs)

    json.loads = loads
    default = json.JSONEncoder.default

    def placeholder_text(self, value):  # a stubbed constant written into JSON (a config's ``extra``)
        stub = isinstance(value, Anything) or isinstance(value, type) and issubclass(value, AnyClass)
        return "stub" if stub else default(self, value)

    json.JSONEncoder.default = placeholder_text


def _stubs_take_any_mapping_keyword() -> None:
    """A stubbed operator's real signature is unknown: ``.partial()``/``.expand()`` accept any keyword."""
    import airflow.sdk.bases.operator as operator_module
    import airflow.sdk.definitions.mappedoperator as mapped_module

    original = mapped_module.validate_mapping_kwargs

    def validate_mapping_kwargs(op, func, value):
        if getattr(op, "_wflint_stub", False):
            return None
        return original(op, func, value)

    mapped_module.validate_mapping_kwargs = validate_mapping_kwargs
    operator_module.validate_mapping_kwargs = validate_mapping_kwargs


def _missing_task_decorators_run_python() -> None:
    """``@task.kubernetes``/``@task.docker`` of a provider the venv lacks run the function elsewhere
    but make the same task (id from the function, edges from its calls): such a decorator is
    ``@task.python`` with the keywords Python tasks do not take dropped. Recorded as stubbed."""
    from airflow.sdk.definitions.decorators import TaskDecoratorCollection

    original = TaskDecoratorCollection.__getattr__

    def __getattr__(self, name):
        try:
            return original(self, name)
        except AttributeError:
            if name.startswith("__"):
                raise
            STUBBED.append(f"airflow.decorators.task.{name}")
            python = original(self, "python")
            known = set(inspect.signature(BaseOperatorInit()).parameters) | {"multiple_outputs", "task_id"}

            def decorator(python_callable=None, **kwargs):
                kept = {k: v for k, v in kwargs.items() if k in known}
                return python(python_callable, **kept) if python_callable else python(**kept)

            return decorator

    TaskDecoratorCollection.__getattr__ = __getattr__


def BaseOperatorInit():
    from airflow.sdk import BaseOperator

    return BaseOperator.__init__


def _missing_variables_are_placeholders() -> None:
    """Variables come from the environment (the repository's own Variables file, exported by the
    caller); one the copy does not define is its default, else a placeholder string (recorded) so
    the file loads. No metastore is consulted. wflint reads every ``Variable.get`` as unknown."""
    import airflow.models.variable
    import airflow.sdk

    def get(cls, key, default=NOTSET, deserialize_json=False, **kwargs):
        raw = os.environ.get(f"AIRFLOW_VAR_{key.upper()}")
        if raw is not None:
            return json.loads(raw) if deserialize_json else raw
        if default is not NOTSET:
            return default
        STUBBED.append(f"Variable {key}")
        return "wflint-oracle-placeholder"

    for variable in (airflow.sdk.Variable, airflow.models.variable.Variable):
        variable.get = classmethod(get)


NOTSET = object()


def _newer_grammar() -> None:
    """On a Python older than 3.12, a PEP 701 f-string is a SyntaxError there but valid where the
    repository runs: such a file is compiled from the tree wflint's ``pysyntax`` builds (the same
    tree as Python 3.12's ``ast``; ``test_airflow_pep701`` checks that where a 3.12 is installed)."""
    path = os.environ.get("WFLINT_PYSYNTAX")
    if sys.version_info >= (3, 12) or not path:
        return
    import importlib.util

    spec = importlib.util.spec_from_file_location("_wflint_pysyntax", path)
    pysyntax = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pysyntax)
    original = importlib.machinery.SourceFileLoader.source_to_code

    def source_to_code(self, data, path, *, _optimize=-1):
        try:
            return original(self, data, path, _optimize=_optimize)
        except SyntaxError:
            tree = pysyntax.parse_python(importlib.util.decode_source(data), path)
            return compile(tree, path, "exec", dont_inherit=True, optimize=_optimize)

    importlib.machinery.SourceFileLoader.source_to_code = source_to_code


def _empty_metastore() -> None:
    """An empty metastore (sqlite in AIRFLOW_HOME, made once): a file that looks up past runs at
    parse time finds none, as on a fresh deployment, instead of failing on a missing table."""
    from airflow.configuration import conf

    url = conf.get("database", "sql_alchemy_conn")
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):
        from airflow.utils.db import initdb

        initdb()


def _local_tops(folders) -> set:
    tops = set()
    for folder in folders:
        for entry in os.listdir(folder):
            stem, ext = os.path.splitext(entry)
            if ext == ".py" or os.path.isdir(os.path.join(folder, entry)):
                tops.add(stem)
    return tops


def main(out_path: str, folders: list) -> None:
    roots = [f for f in os.environ.get("PYTHONPATH", "").split(os.pathsep) if f] + folders
    LOCAL_TOPS.update(_local_tops(roots))
    REPOSITORY_ROOTS.extend(os.path.abspath(r) + os.sep for r in roots)
    sys.meta_path.append(StubFinder())
    _airflow2_spellings()
    _newer_grammar()
    _stubs_take_any_mapping_keyword()
    _missing_task_decorators_run_python()
    _placeholders_read_as_empty_json()
    _missing_variables_are_placeholders()
    from airflow.dag_processing.dagbag import DagBag

    _empty_metastore()
    out = {"dags": [], "import_errors": {}, "stubbed": []}
    for folder in folders:
        bag = DagBag(dag_folder=folder, safe_mode=False)
        for path, error in bag.import_errors.items():
            out["import_errors"][os.path.relpath(path, folder)] = error.strip().splitlines()[-1]
        for dag_id, dag in sorted(bag.dags.items()):
            out["dags"].append({
                "dag_id": dag_id,
                "file": os.path.abspath(dag.fileloc),
                "tasks": sorted(dag.task_dict),
                "edges": sorted([up, t.task_id] for t in dag.tasks for up in t.upstream_task_ids),
            })
    out["stubbed"] = sorted({name if name.startswith(("airflow.", "Variable")) else name.split(".")[0]
                             for name in STUBBED})
    with open(out_path, "w") as handle:  # stdout carries Airflow's log lines
        json.dump(out, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
