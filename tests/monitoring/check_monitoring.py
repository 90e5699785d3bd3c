#!/usr/bin/env python3
"""Checks the monitoring kit against the engine (CTest: monitoring_dashboard_check).

- Every PromQL expression of the Grafana dashboard (panel targets and the
  selectors of its label_values() variables), with Grafana's variables
  replaced, parses: they are written as recording rules into a temporary rule
  file that `promtool check rules` parses.
- Every metric the dashboard and the alerting rules name is one the engine
  registers (read from the C++ sources: prometheus-cpp's Build*().Name(...)),
  a histogram's _bucket/_sum/_count, a rule's own recording, or `up`; rate()
  and increase() only take counters or histogram series, histogram_quantile()
  only _bucket series.
- The dashboard has what the kit promises: a data source variable every panel
  uses, the source/route/destination variables, unique panel ids.
- Every alert of the rule file has a promtool test that shows it firing and,
  later, resolved; docs/monitoring.md names every alert and every metric.

Exits 1 with one line per problem.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SOURCE_DIRS = ("engine", "adapters", "store", "kinds", "routes", "common")
METRIC_RE = re.compile(
    r"Build(Counter|Gauge|Histogram|Summary)\(\)\s*\.Name\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
# PromQL words that are not metric names.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
            "or", "unless", "offset", "inf", "nan"}
# Grafana's interval variables, replaced by a representative duration.
GRAFANA_INTERVALS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def engine_metrics(source_dir):
    """name -> type (counter, gauge, histogram, summary) of every metric registered."""
    metrics = {}
    for sub in SOURCE_DIRS:
        for path in sorted((source_dir / sub).rglob("*")):
            if path.suffix not in (".cc", ".h") or path.name.endswith("_test.cc"):
                continue
            for kind, name in METRIC_RE.findall(path.read_text(encoding="utf-8", errors="replace")):
                metrics[name] = kind.lower()
    return metrics


def known_series(metrics):
    """Series names a query may select, with the type rate() cares about."""
    series = {}
    for name, kind in metrics.items():
        if kind in ("histogram", "summary"):
            for suffix in ("_bucket", "_sum", "_count"):
                series[name + suffix] = "counter"
            series[name] = kind
        else:
            series[name] = kind
    series["up"] = "gauge"
    return series


def strip_grafana(expr):
    for variable, value in GRAFANA_INTERVALS.items():
        expr = expr.replace(variable, value)
    # Template variables only appear in regex matchers (=~"$destination"):
    # any regex stands for them.
    return re.sub(r"\$\{?[a-zA-Z_][a-zA-Z0-9_]*(:[a-z]+)?\}?", ".*", expr)


def metric_names(expr):
    """Metric names an expression selects (a lexical reading, enough for ours)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "{}", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "[]", text)  # range durations
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = []
    for match in re.finditer(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in KEYWORDS or re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.append(word)
    return names


def type_problems(expr, series):
    problems = []
    for function, name in re.findall(r"\b(rate|irate|increase)\(\s*([a-zA-Z_:][\w:]*)", expr):
        if series.get(name) not in ("counter", None):
            problems.append(f"{function}() of {name}, a {series[name]}")
    for name in re.findall(r"histogram_quantile\([^,]+,.*?([a-zA-Z_:][\w:]*)\{", expr):
        if not name.endswith("_bucket"):
            problems.append(f"histogram_quantile() of {name}, not a _bucket series")
    return problems


def dashboard_queries(dashboard, problems):
    """(where, expr) of every query in the dashboard."""
    queries = []

    def walk(panels):
        for panel in panels:
            walk(panel.get("panels", []))
            if panel.get("type") == "row":
                continue
            title = panel.get("title", "?")
            if panel.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"panel {title!r} does not use the $datasource variable")
            if not panel.get("targets"):
                problems.append(f"panel {title!r} has no query")
            for target in panel.get("targets", []):
                if target.get("datasource", {}).get("uid", "${datasource}") != "${datasource}":
                    problems.append(f"panel {title!r} target {target.get('refId')} does not use "
                                    "the $datasource variable")
                if not target.get("expr"):
                    problems.append(f"panel {title!r} target {target.get('refId')} has no expr")
                else:
                    queries.append((f"panel {title!r} {target.get('refId')}", target["expr"]))

    walk(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        if variable.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"variable {variable.get('name')} does not use the $datasource variable")
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else query or ""
        match = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_]\w*)\s*\)\s*", query)
        if not match:
            problems.append(f"variable {variable.get('name')}: not label_values(selector, label)")
            continue
        queries.append((f"variable {variable.get('name')}", match.group(1)))
    return queries


def check_dashboard_shape(dashboard, problems):
    if dashboard.get("schemaVersion", 0) < 36:
        problems.append(f"dashboard schemaVersion {dashboard.get('schemaVersion')} < 36")
    if not dashboard.get("uid") or not dashboard.get("title"):
        problems.append("dashboard has no uid or title")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("dashboard has no `datasource` variable of type datasource")
    for name in ("source", "route", "destination"):
        if name not in variables:
            problems.append(f"dashboard has no `{name}` variable")
    ids = []

    def collect(panels):
        for panel in panels:
            ids.append(panel.get("id"))
            if "gridPos" not in panel:
                problems.append(f"panel {panel.get('title')!r} has no gridPos")
            collect(panel.get("panels", []))

    collect(dashboard.get("panels", []))
    if len(ids) != len(set(ids)) or None in ids:
        problems.append("panel ids are missing or not unique")


def rule_exprs(rules):
    alerts, records, exprs = [], [], []
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            if "alert" in rule:
                alerts.append(rule["alert"])
                exprs.append((f"alert {rule['alert']}", rule["expr"]))
            else:
                records.append(rule["record"])
                exprs.append((f"recording {rule['record']}", rule["expr"]))
    return alerts, records, exprs


def promtool_parses(promtool, queries, problems):
    def check(batch):
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:query_{i}", "expr": strip_grafana(expr)}
            for i, (_, expr) in enumerate(batch)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as file:
            yaml.safe_dump(rules, file)
            file.flush()
            result = subprocess.run([promtool, "check", "rules", file.name],
                                    capture_output=True, text=True)
        return result.returncode == 0, result.stdout + result.stderr

    ok, _ = check(queries)
    if ok:
        return
    for where, expr in queries:  # name the culprits
        ok, output = check([(where, expr)])
        if not ok:
            problems.append(f"{where}: PromQL does not parse: {strip_grafana(expr)}\n{output}")


def check_rule_tests(alerts, tests, problems):
    """Each alert: a test case expecting it firing, and a later one expecting none."""
    cases = {}
    for test in tests.get("tests", []):
        for case in test.get("alert_rule_test", []):
            cases.setdefault(case["alertname"], []).append(
                (case["eval_time"], bool(case.get("exp_alerts"))))

    def minutes(duration):
        match = re.fullmatch(r"(\d+)([smh])", str(duration))
        return int(match.group(1)) * {"s": 1 / 60, "m": 1, "h": 60}[match.group(2)]

    for alert in alerts:
        times = cases.get(alert, [])
        fired = [minutes(t) for t, firing in times if firing]
        resolved = [minutes(t) for t, firing in times if not firing]
        if not fired:
            problems.append(f"alert {alert} has no test showing it fire")
        elif not any(r > min(fired) for r in resolved):
            problems.append(f"alert {alert} has no test showing it resolve after firing")
    for alert in cases:
        if alert not in alerts:
            problems.append(f"the rule tests name {alert}, which the rule file lacks")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promtool", required=True)
    parser.add_argument("--source-dir", required=True, type=Path)
    args = parser.parse_args()
    files = args.source_dir / "helm" / "navette" / "files"
    problems = []

    metrics = engine_metrics(args.source_dir)
    if len(metrics) < 10:
        problems.append(f"found only {len(metrics)} metrics in the engine's sources: "
                        "has the way they are registered changed?")
    series = known_series(metrics)

    dashboard = json.loads((files / "navette-dashboard.json").read_text(encoding="utf-8"))
    rules = yaml.safe_load((files / "navette-rules.yaml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((files / "navette-rules.test.yaml").read_text(encoding="utf-8"))
    docs = (args.source_dir / "docs" / "monitoring.md").read_text(encoding="utf-8")

    check_dashboard_shape(dashboard, problems)
    queries = dashboard_queries(dashboard, problems)
    promtool_parses(args.promtool, queries, problems)

    alerts, records, exprs = rule_exprs(rules)
    selectable = dict(series, **{record: "gauge" for record in records})
    for where, expr in queries + exprs:
        for name in metric_names(strip_grafana(expr)):
            if name not in selectable:
                problems.append(f"{where}: {name} is no metric the engine registers")
        problems.extend(f"{where}: {p}" for p in type_problems(strip_grafana(expr), selectable))

    check_rule_tests(alerts, tests, problems)
    for alert in alerts:
        if alert not in docs:
            problems.append(f"docs/monitoring.md does not describe alert {alert}")
    for name in metrics:
        if f"`{name}`" not in docs:
            problems.append(f"docs/monitoring.md does not list metric {name}")

    for problem in problems:
        print(problem)
    print(f"{len(queries)} dashboard queries, {len(exprs)} rules, {len(metrics)} engine metrics: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
