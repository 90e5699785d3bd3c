#!/usr/bin/env python3
"""Tests of check_chart.py: the chart passes, and each kind of breakage in a
copy of it fails with the file and line of the problem.

    check_chart_test.py [CHART_DIR]   (default: helm/navette beside this file)
"""

import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
CHECKER = HERE / "check_chart.py"
CHART = HERE.parent / "navette"


def run_checker(chart):
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(chart)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def replace_once(path, old, new):
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise AssertionError(f"{path.name}: expected one {old!r}, found {text.count(old)}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path, needle):
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


class CheckChartTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="navette-chart-"))
        self.copy = self.tmp / CHART.name
        shutil.copytree(CHART, self.copy)
        self.templates = self.copy / "templates"

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def assertFails(self, *expected):
        code, output = run_checker(self.copy)
        self.assertEqual(code, 1, output)
        for text in expected:
            self.assertIn(text, output)

    def test_the_chart_passes(self):
        code, output = run_checker(CHART)
        self.assertEqual(code, 0, output)

    def test_an_unmodified_copy_passes(self):
        # The fixture itself: failures below come from the breakage alone.
        code, output = run_checker(self.copy)
        self.assertEqual(code, 0, output)

    def test_bad_indentation_is_reported_at_its_template_line(self):
        statefulset = self.templates / "statefulset.yaml"
        replace_once(statefulset, "      enableServiceLinks: false", "     enableServiceLinks: false")
        line = line_of(statefulset, "     enableServiceLinks: false")
        self.assertFails(f"templates/statefulset.yaml:{line}: error: not valid YAML")

    def test_a_broken_else_branch_is_parsed_too(self):
        # Only the second variant takes this branch: a check of the first
        # branches alone would pass.
        configmap = self.templates / "configmap.yaml"
        replace_once(configmap, "  navette.yaml: |\n", "  navette.yaml: [unclosed\n")
        self.assertFails("templates/configmap.yaml:", "not valid YAML", "branch variant 1")

    def test_an_undefined_value_is_reported_with_file_and_line(self):
        service = self.templates / "service-admin.yaml"
        replace_once(
            service,
            "  type: {{ .Values.admin.service.type }}",
            "  type: {{ .Values.admin.service.typo }}",
        )
        line = line_of(service, ".Values.admin.service.typo")
        self.assertFails(
            f"templates/service-admin.yaml:{line}: error: .Values.admin.service.typo is not defined"
        )

    def test_an_undefined_value_in_helpers_is_reported(self):
        helpers = self.templates / "_helpers.tpl"
        replace_once(helpers, ".Values.image.repository", ".Values.image.repo")
        self.assertFails("templates/_helpers.tpl:", ".Values.image.repo is not defined")

    def test_an_index_path_is_checked(self):
        pdb = self.templates / "poddisruptionbudget.yaml"
        replace_once(
            pdb,
            "{{ .Values.podDisruptionBudget.maxUnavailable }}",
            '{{ index .Values "podDisruptionBudget" "maxUnavailble" }}',
        )
        self.assertFails(".Values.podDisruptionBudget.maxUnavailble is not defined")

    def test_a_missing_end_is_reported_at_its_block(self):
        pdb = self.templates / "poddisruptionbudget.yaml"
        text = pdb.read_text(encoding="utf-8")
        pdb.write_text(text[: text.rindex("{{- end }}")], encoding="utf-8")
        line = line_of(pdb, "{{- if .Values.podDisruptionBudget.enabled }}")
        self.assertFails(
            f"templates/poddisruptionbudget.yaml:{line}: error: 'if' is never closed by an 'end'"
        )

    def test_an_extra_end_is_reported(self):
        with (self.templates / "serviceaccount.yaml").open("a", encoding="utf-8") as f:
            f.write("{{- end }}\n")
        self.assertFails("templates/serviceaccount.yaml:", "'end' without an open")

    def test_an_unclosed_action_is_reported(self):
        service = self.templates / "service-headless.yaml"
        replace_once(service, "{{ .Values.admin.port }}", "{{ .Values.admin.port }")
        self.assertFails("templates/service-headless.yaml:", "'{{' is never closed")

    def test_a_document_without_kind_is_reported(self):
        service = self.templates / "service-headless.yaml"
        replace_once(service, "kind: Service\n", "")
        self.assertFails("templates/service-headless.yaml:1: error: a document without apiVersion and kind")

    def test_an_undocumented_value_is_reported(self):
        values = self.copy / "values.yaml"
        replace_once(values, "# Annotations of the pods.\n", "")
        line = line_of(values, "podAnnotations:")
        self.assertFails(f"values.yaml:{line}: error: 'podAnnotations' has no comment")

    def test_invalid_values_are_reported_at_their_line(self):
        values = self.copy / "values.yaml"
        replace_once(values, "podAnnotations: {}", "podAnnotations: {")
        self.assertFails("values.yaml:", "error: not valid YAML")

    def test_an_unused_value_is_reported(self):
        with (self.copy / "values.yaml").open("a", encoding="utf-8") as f:
            f.write("# A value nothing reads.\nforgotten: 1\n")
        self.assertFails("error: forgotten is used by no template")

    def test_placeholders_follow_their_siblings(self):
        # A block inserted among list items must parse as a list item, and
        # among mapping keys as a key: the rendered chart does the same.
        sys.path.insert(0, str(HERE))
        sys.dont_write_bytecode = True  # no __pycache__ in the source tree
        import check_chart

        text = (
            "env:\n"
            "  - name: A\n"
            "    value: b\n"
            "  {{- toYaml .Values.env | nindent 2 }}\n"
            "labels:\n"
            "  a: b\n"
            "  {{- include \"labels\" . | nindent 2 }}\n"
        )
        template = self.tmp / "t.yaml"
        template.write_text(text, encoding="utf-8")
        variants = list(check_chart.neutralised(template, "t.yaml"))
        rendered = variants[0][1]
        self.assertIn("\n  - helm\n", rendered)
        self.assertIn("\n  helm_2: helm", rendered)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        CHART = pathlib.Path(sys.argv.pop(1)).resolve()
    unittest.main()
