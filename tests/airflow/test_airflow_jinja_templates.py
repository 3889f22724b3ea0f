"""Jinja2 templates of DAG files (round 12, F3): a ``.py`` a generator DAG renders into the DAGs
folder is no DAG file (Airflow parses only the rendered copies). Found in a folder it is passed
over; named, the one line says why. Jinja inside string literals (``"{{ ds }}"``, Airflow's
templated fields) is no template: such a DAG file is read as ever."""
from __future__ import annotations

import time

from af_oracle import airflow_python, dagbag  # noqa: F401
from conftest import run

from wflint.adapters import airflow
from wflint.adapters.airflow.jinja import template_marker
from wflint.engine import load

RAW = '''from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

target = '{{ name }}'
{% raw %}
log_url = f'/dags/{target}/runs/{{{{ dag_run.run_id }}}}'
{% endraw %}

with DAG(target, start_date=datetime(2024, 1, 1), schedule=None) as dag:
    BashOperator(task_id="etl", bash_command="run {{ name }}") >> BashOperator(task_id="done", bash_command="true")
'''

SET_OF_A_SET = '''import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

seqrun_id = '{{ SEQRUN_ID }}'
sample_groups = {{ SAMPLE_GROUPS|safe }}

with DAG(dag_id=seqrun_id, start_date=pendulum.yesterday(), schedule=None) as dag:
    start = EmptyOperator(task_id="start")
    for lane in sample_groups:
        start >> EmptyOperator(task_id=f"lane_{lane}")
'''

# Airflow's templated fields: Jinja in strings (a bash command with `{% if %}`, an f-string's
# doubled braces), and a `{#` that opens a dict and a comment. A real DAG file, read as ever.
TEMPLATED_FIELDS = '''from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

DAY = "{{ ds }}"
settings = {# the retries #}
    "retries": 1}

with DAG("report", start_date=datetime(2024, 1, 1), schedule="@daily", default_args=settings) as dag:
    extract = BashOperator(task_id="extract", bash_command="extract --day {{ ds }} {{ params.x }}")
    load = BashOperator(task_id="load", bash_command=f"load {DAY} --run {{{{ run_id }}}}")
    notify = BashOperator(task_id="notify", bash_command="""
        {% if params.loud %}echo loud{% endif %}
        {# a comment #} echo {{ ti.task_id }}
    """)
    extract >> load >> notify
'''


def _write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_a_template_with_a_raw_tag_is_passed_over_in_a_folder_and_explained_when_named(tmp_path):
    path = _write(tmp_path / "templates", "etl_recipe.py", RAW)
    assert load(str(path), explicit=False) is None
    walked = run("check", tmp_path, "--format", "json")
    assert walked.exit_code == 0 and walked.json()["summary"]["files"] == 0, walked.stdout
    named = run("check", path)
    assert named.exit_code == 2
    assert named.stderr.strip() == (f"wflint: error: {path}: not a workflow file wflint can read (a Jinja2 template of a "
                                    "DAG file (`{% raw %}` at line 7): Airflow parses only the files rendered from it)")


def test_a_template_that_parses_as_a_set_of_a_set_is_passed_over_and_explained(tmp_path):
    """``x = {{ NAME|safe }}`` parses (a set whose one element is a set) but always fails at
    import; it was read as a DAG, and got WFL003."""
    path = _write(tmp_path / "dynamic_dag_templates", "demult_template.py", SET_OF_A_SET)
    assert load(str(path), explicit=False) is None
    assert run("check", tmp_path, "--format", "json").json()["summary"]["files"] == 0
    named = run("check", path)
    assert named.exit_code == 2
    assert ("(a Jinja2 template of a DAG file (`{{ SAMPLE_GROUPS|safe }}` at line 6, a set holding a set, which fails "
            "at import): Airflow parses only the files rendered from it)") in named.stderr


def test_jinja_in_strings_is_an_airflow_templated_field_not_a_template(tmp_path):
    path = _write(tmp_path, "report.py", TEMPLATED_FIELDS)
    assert template_marker(TEMPLATED_FIELDS) == ""
    (wf,) = load(str(path), explicit=False)
    assert set(wf.tasks) == {"extract", "load", "notify"}
    assert {(e.u, e.v) for e in wf.edges} == {("extract", "load"), ("load", "notify")}


def test_a_set_of_a_set_that_does_not_run_at_import_leaves_the_dag_file_read(tmp_path):
    """In a task's callable (run by the worker, not at import) or under a ``try``, the import
    does not fail: the DAG is Airflow's, and wflint reads it."""
    text = ('from datetime import datetime\n\nfrom airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\n\n'
            'def build():\n    return {{ "a" }}\n\n\ntry:\n    extra = {{ 1 }}\nexcept TypeError:\n    extra = None\n\n'
            'with DAG("odd", start_date=datetime(2024, 1, 1), schedule=None) as dag:\n'
            '    PythonOperator(task_id="a", python_callable=build) >> PythonOperator(task_id="b", python_callable=build)\n')
    path = _write(tmp_path, "odd.py", text)
    assert template_marker(text) == ""
    (wf,) = load(str(path), explicit=False)
    assert set(wf.tasks) == {"a", "b"}


def test_invalid_python_without_jinja_in_code_is_still_wfl001_with_its_line(tmp_path):
    broken = _write(tmp_path, "broken.py", 'from airflow import DAG\n\nDAY = "{{ ds }}"\nif True\n    pass\n')
    result = run("check", broken, "--format", "json")
    (finding,) = result.json()["findings"]
    assert finding["code"] == "WFL001" and finding["line"] == 4 and "invalid Python" in finding["message"]
    assert result.json()["summary"]["files"] == 1


def test_a_template_named_among_other_files_is_passed_over_like_any_other_non_workflow_file(tmp_path):
    """As a hook names every staged file: the template is a notice, the DAG beside it is checked."""
    template = _write(tmp_path / "templates", "etl_recipe.py", RAW)
    dag = _write(tmp_path / "dags", "report.py", TEMPLATED_FIELDS)
    result = run("check", template, dag, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0
    assert f"notice: {template}: not a workflow file wflint can read (a Jinja2 template" in result.stderr
    assert result.json()["summary"]["files"] == 1
    hooked = run("check", "--ignore-unknown", template, dag, "--format", "json", "--fail-on", "never")
    assert hooked.exit_code == 0 and "Jinja2" not in hooked.stderr and hooked.json()["summary"]["files"] == 1


def test_statement_tags_are_preferred_and_tags_inside_strings_and_comments_do_not_count():
    text = "from airflow import DAG\nx = {{ a }}\n# {% raw %}\ns = '{% raw %}'\n{%- if b -%}\n"
    assert template_marker(text) == "`{%- if b -%}` at line 5"
    assert template_marker("from airflow import DAG\n'''\n{% raw %}\n'''\nif True\n") == ""
    assert template_marker("from airflow import DAG\n{# a Jinja comment #}\nx = 1\n") == "`{# a Jinja comment #}` at line 2"
    assert airflow.sniff("t.py", "from airflow import DAG\n{% for t in tasks %}\n{% endfor %}\n") is False


def test_text_dense_with_braces_is_looked_at_in_linear_time():
    """Untrusted text: a tag is looked for along a bounded stretch of its own line, closes are found
    once each, and the scan stops after a bounded number of brace pairs."""
    for text in ("{%a" * 400_000, "{#a\n" * 300_000, "{" * 1_000_000, "'\\" * 500_000, '"""' * 300_000):
        start = time.perf_counter()
        assert template_marker("import airflow\n" + text) == ""
        assert time.perf_counter() - start < 2.0


def test_dagbag_cannot_use_either_template_as_a_dag(airflow_python, tmp_path):  # noqa: F811
    """Real Airflow on a folder holding both templates and a DAG file: each template is an import
    error (the raw tag a syntax error, the set of a set a failed name), and the only DAG is the real
    one, which wflint reads alone. Passing the templates over loses nothing Airflow could run."""
    _write(tmp_path, "etl_recipe.py", RAW)
    _write(tmp_path, "demult_template.py", SET_OF_A_SET)
    _write(tmp_path, "report.py", TEMPLATED_FIELDS)
    real = dagbag(airflow_python, tmp_path)
    assert sorted(real["import_errors"]) == ["demult_template.py", "etl_recipe.py"]
    assert "SyntaxError" in real["import_errors"]["etl_recipe.py"]
    assert "NameError" in real["import_errors"]["demult_template.py"]
    assert sorted(real["dags"]) == ["report"]
    walked = run("check", tmp_path, "--format", "json", "--fail-on", "never").json()
    assert walked["summary"]["files"] == 1
