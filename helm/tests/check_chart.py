#!/usr/bin/env python3
"""Checks a Helm chart without Helm (Debian 12 packages none).

    check_chart.py CHART_DIR

Fails (exit 1), printing FILE:LINE: error: ... for each problem, when:

- a template's Go-template actions are unbalanced (an `end` without its
  `if`/`range`/`with`/`define`, a block never closed, a `{{` never closed);
- a manifest template does not parse as YAML once its actions are
  neutralised (below), or a document in it has no apiVersion or kind;
- a template uses a `.Values.a.b` path (or `index .Values "a" "b"`) that
  values.yaml does not define;
- values.yaml defines a value no template uses, or a key without a comment
  (the line above it, or at the end of its line): values.yaml documents
  every value;
- Chart.yaml lacks apiVersion v2, the chart's name or a version.

Neutralising the actions, so that the YAML around them can be parsed:

- comments, assignments (`$x := ...`), `break`/`continue` print nothing;
- a block (`if`/`with`/`range`, with its `else` and `else if` branches) is
  replaced by one of its branches; the template is parsed once per branch
  index (variant 0 takes every block's first branch, variant 1 the second,
  or the last where a block has fewer...), so that every branch is parsed at
  least once, and once more with every block left out (`none`: only the
  final `else` branches); `define` bodies print nothing;
- `{{-` and `-}}` trim the whitespace beside them, as Go does;
- an output action inside a line (`image: "{{ .Values.x }}:{{ .y }}"`)
  becomes the scalar `helm`; one alone on its line, or one piped into
  `nindent N` / `indent N` (toYaml, include of a block of labels), becomes
  one YAML entry at its column, `- helm` where its siblings are list items
  and `helm_N: helm` elsewhere, so that a block of mappings or a list
  inserted there parses as it will once rendered.

It does not evaluate anything: a value's type, a `fail`, what `toYaml`
really prints, or a manifest's schema are `helm template` / `helm lint`'s
job (docs/deployment.md gives the commands).
"""

import argparse
import pathlib
import re
import sys

import yaml

BLOCK_KEYWORDS = {"if", "range", "with", "define", "block"}
BLOCK_TOKEN = "\x00helm-block\x00"
VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
VALUES_INDEX = re.compile(r'index\s+\$?[A-Za-z0-9_]*\.Values((?:\s+"[^"]*")+)')
ASSIGNMENT = re.compile(r"^\$[A-Za-z0-9_]*\s*:?=")
INDENT_FILTER = re.compile(r"\b(n?indent)\s+(\d+)\s*(?:\||$)")


class ChartError(Exception):
    def __init__(self, where, line, message):
        super().__init__(f"{where}:{line}: error: {message}")
        self.where, self.line, self.message = where, line, message


# --- Lexing: text and actions ------------------------------------------------


class Text:
    def __init__(self, text, line):
        self.text, self.line = text, line


class Action:
    def __init__(self, body, line, trim_left, trim_right):
        self.body, self.line = body, line
        self.trim_left, self.trim_right = trim_left, trim_right
        words = body.split(None, 1)
        self.keyword = words[0] if words else ""
        self.rest = words[1] if len(words) > 1 else ""


def lex(source, where):
    """Splits a template into Text and Action tokens, honouring quotes and
    comments inside actions, and applies the trim markers."""
    tokens = []
    pos, line = 0, 1
    while True:
        start = source.find("{{", pos)
        if start < 0:
            tokens.append(Text(source[pos:], line))
            break
        tokens.append(Text(source[pos:start], line))
        line += source.count("\n", pos, start)
        action_line = line
        i = start + 2
        trim_left = source.startswith("-", i) and i + 1 < len(source) and source[i + 1] in " \t\r\n"
        if trim_left:
            i += 1
        body_start = i
        end = None
        while i < len(source):
            c = source[i]
            if source.startswith("/*", i):
                close = source.find("*/", i + 2)
                if close < 0:
                    break
                i = close + 2
            elif c in "\"'`":
                j = i + 1
                while j < len(source) and source[j] != c:
                    j += 2 if c != "`" and source[j] == "\\" else 1
                i = j + 1
            elif source.startswith("}}", i):
                end = i
                break
            else:
                i += 1
        if end is None:
            raise ChartError(where, action_line, "'{{' is never closed by '}}'")
        body = source[body_start:end]
        trim_right = body.endswith("-") and len(body) >= 2 and body[-2] in " \t\r\n"
        if trim_right:
            body = body[:-1]
        tokens.append(Action(body.strip(), action_line, trim_left, trim_right))
        line += source.count("\n", start, end + 2)
        pos = end + 2
    # Trim markers eat the whitespace (newlines included) beside the action.
    for k, token in enumerate(tokens):
        if not isinstance(token, Action):
            continue
        if token.trim_left and k > 0 and isinstance(tokens[k - 1], Text):
            tokens[k - 1].text = tokens[k - 1].text.rstrip(" \t\r\n")
        if token.trim_right and k + 1 < len(tokens) and isinstance(tokens[k + 1], Text):
            following = tokens[k + 1]
            stripped = following.text.lstrip(" \t\r\n")
            following.line += following.text[: len(following.text) - len(stripped)].count("\n")
            following.text = stripped
    return tokens


# --- Parsing: blocks and their branches -------------------------------------


class Block:
    def __init__(self, action):
        self.action = action
        self.kind = action.keyword
        self.branches = [[]]
        self.conditional = [True]  # False for a final unconditional `else`


def is_silent(action):
    """Actions that print nothing."""
    body = action.body
    return (
        body.startswith("/*")
        or ASSIGNMENT.match(body) is not None
        or action.keyword in {"break", "continue"}
    )


def parse(tokens, where):
    root = Block(Action("root", 0, False, False))
    stack = [root]
    for token in tokens:
        top = stack[-1]
        if isinstance(token, Text):
            top.branches[-1].append(token)
        elif token.keyword in BLOCK_KEYWORDS:
            block = Block(token)
            top.branches[-1].append(block)
            stack.append(block)
        elif token.keyword == "else":
            if len(stack) == 1 or top.kind not in {"if", "range", "with"}:
                raise ChartError(where, token.line, "'else' outside an if, range or with")
            if not top.conditional[-1]:
                raise ChartError(where, token.line, "a branch after the final 'else'")
            # `else if ...`, `else with ...` are conditional; a bare `else` is final.
            top.branches.append([])
            top.conditional.append(bool(token.rest))
        elif token.keyword == "end":
            if len(stack) == 1:
                raise ChartError(where, token.line, "'end' without an open if, range, with or define")
            stack.pop()
        else:
            top.branches[-1].append(token)
    if len(stack) > 1:
        opened = stack[-1].action
        raise ChartError(where, opened.line, f"'{opened.keyword}' is never closed by an 'end'")
    return root


def most_branches(block):
    count = len(block.branches)
    for branch in block.branches:
        for node in branch:
            if isinstance(node, Block):
                count = max(count, most_branches(node))
    return count


# --- Rendering one variant ---------------------------------------------------


def chosen_branch(block, variant):
    """Variant k takes each block's branch k (its last one if it has fewer);
    the variant None takes none of the conditional branches, the final
    `else` where there is one."""
    if block.kind in {"define", "block"}:
        return []
    if variant is None:
        return [] if block.conditional[-1] else block.branches[-1]
    return block.branches[min(variant, len(block.branches) - 1)]


def render(block, variant, out):
    """Appends (text, origin line, is_source) segments to `out`."""
    for node in block.branches[0] if block.kind == "root" else chosen_branch(block, variant):
        if isinstance(node, Text):
            out.append((node.text, node.line, True))
        elif isinstance(node, Block):
            render(node, variant, out)
        elif is_silent(node):
            continue
        else:
            out.append(output_placeholder(node))


def output_placeholder(action):
    match = INDENT_FILTER.search(action.body)
    if match is None:
        return (BLOCK_TOKEN, action.line, False)
    width = int(match.group(2))
    if match.group(1) == "nindent":
        return ("\n" + " " * width + BLOCK_TOKEN, action.line, False)
    return (" " * width + BLOCK_TOKEN, action.line, False)


def join(segments):
    """The rendered text and, for each of its lines, the template line it
    came from."""
    text, origins = [], []
    at_line_start = True
    for piece, line, is_source in segments:
        for c in piece:
            if at_line_start:
                origins.append(line)
                at_line_start = False
            if c == "\n":
                at_line_start = True
                if is_source:
                    line += 1
            text.append(c)
    return "".join(text), origins


def indentation(line):
    return len(line) - len(line.lstrip(" "))


def resolve_placeholders(text):
    """Turns each block placeholder into a YAML entry or a scalar."""
    lines = text.split("\n")
    counter = 0
    for n, line in enumerate(lines):
        while BLOCK_TOKEN in line:
            before, after = line.split(BLOCK_TOKEN, 1)
            if before.strip() or after.strip() or BLOCK_TOKEN in after:
                line = before + "helm" + after
                continue
            column = len(before)
            counter += 1
            entry = "- helm" if sibling_is_list_item(lines, n, column) else f"helm_{counter}: helm"
            line = before + entry + after
        lines[n] = line
    return "\n".join(lines)


def sibling_is_list_item(lines, n, column):
    for direction in (1, -1):
        k = n + direction
        while 0 <= k < len(lines):
            candidate = lines[k]
            stripped = candidate.strip()
            if stripped and not stripped.startswith("#") and BLOCK_TOKEN not in candidate:
                width = indentation(candidate)
                if width < column:
                    break
                if width == column:
                    return stripped == "-" or stripped.startswith("- ")
            k += direction
    return False


# --- The checks --------------------------------------------------------------


def neutralised(path, relative):
    """Each variant of a template as the YAML parser sees it."""
    root = parse(lex(path.read_text(encoding="utf-8"), relative), relative)
    for variant in list(range(most_branches(root))) + [None]:
        segments = []
        render(root, variant, segments)
        text, origins = join(segments)
        yield variant, resolve_placeholders(text), origins


def check_template(path, relative, errors):
    source = path.read_text(encoding="utf-8")
    try:
        root = parse(lex(source, relative), relative)
    except ChartError as error:
        errors.append(str(error))
        return []
    if path.suffix not in {".yaml", ".yml"}:
        return lex(source, relative)
    for variant, text, origins in neutralised(path, relative):
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = origins[min(mark.line, len(origins) - 1)] if mark is not None and origins else 1
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            errors.append(
                f"{relative}:{line}: error: not valid YAML once its actions are neutralised "
                f"(branch variant {'none' if variant is None else variant}): {problem}"
            )
            break
        for document in documents:
            if document is None:
                continue
            if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
                errors.append(
                    f"{relative}:1: error: a document without apiVersion and kind "
                    f"(branch variant {'none' if variant is None else variant})"
                )
                break
    return lex(source, relative)


def value_references(tokens, relative):
    """(path tuple, file:line) of every .Values path used in actions."""
    found = []
    for token in tokens:
        if not isinstance(token, Action) or token.body.startswith("/*"):
            continue
        for match in VALUES_PATH.finditer(token.body):
            found.append((tuple(match.group(1)[1:].split(".")), f"{relative}:{token.line}"))
        for match in VALUES_INDEX.finditer(token.body):
            keys = tuple(re.findall(r'"([^"]*)"', match.group(1)))
            found.append((keys, f"{relative}:{token.line}"))
    return found


def is_defined(values, path):
    node = values
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def leaf_paths(node, prefix=()):
    if isinstance(node, dict) and node:
        for key, child in node.items():
            yield from leaf_paths(child, prefix + (str(key),))
    else:
        yield prefix


def check_values_comments(text, errors):
    """Every mapping key of values.yaml (outside lists, which are examples or
    data) has a comment on the line above or at the end of its line."""
    lines = text.split("\n")
    root = yaml.compose(text)

    def visit(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                n = key.start_mark.line
                above = lines[n - 1].strip() if n > 0 else ""
                after_key = lines[n][key.end_mark.column:]
                if not above.startswith("#") and not re.search(r"\s#", after_key):
                    errors.append(
                        f"values.yaml:{n + 1}: error: '{key.value}' has no comment saying what it is"
                    )
                visit(value)

    visit(root)


def check_chart(chart):
    errors = []
    chart_yaml = chart / "Chart.yaml"
    values_yaml = chart / "values.yaml"
    for required in (chart_yaml, values_yaml, chart / "templates"):
        if not required.exists():
            errors.append(f"{required.relative_to(chart)}:1: error: missing")
    if errors:
        return errors
    try:
        metadata = yaml.safe_load(chart_yaml.read_text(encoding="utf-8")) or {}
        if metadata.get("apiVersion") != "v2":
            errors.append("Chart.yaml:1: error: apiVersion must be v2 (Helm 3)")
        if metadata.get("name") != chart.name:
            errors.append(f"Chart.yaml:1: error: name must be the chart's directory, {chart.name}")
        if not metadata.get("version"):
            errors.append("Chart.yaml:1: error: no version")
    except yaml.YAMLError as error:
        errors.append(f"Chart.yaml:1: error: not valid YAML: {error}")
    values_text = values_yaml.read_text(encoding="utf-8")
    try:
        values = yaml.safe_load(values_text) or {}
        check_values_comments(values_text, errors)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        return errors + [f"values.yaml:{line}: error: not valid YAML: {problem}"]

    references = []
    templates = sorted(p for p in (chart / "templates").rglob("*") if p.is_file())
    for path in templates:
        relative = str(path.relative_to(chart))
        tokens = check_template(path, relative, errors)
        references += value_references(tokens, relative)

    for path, where in references:
        if not is_defined(values, path):
            errors.append(f"{where}: error: .Values.{'.'.join(path)} is not defined in values.yaml")
    used = [path for path, _ in references]
    for leaf in leaf_paths(values):
        if not any(leaf[: len(p)] == p or p[: len(leaf)] == leaf for p in used):
            errors.append(f"values.yaml:1: error: {'.'.join(leaf)} is used by no template")
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chart", type=pathlib.Path, help="the chart's directory")
    parser.add_argument(
        "--show",
        metavar="TEMPLATE",
        help="print each variant of templates/TEMPLATE as the YAML parser sees it, "
        "with the template line of each line, and exit",
    )
    arguments = parser.parse_args()
    if arguments.show:
        path = arguments.chart / "templates" / arguments.show
        for variant, text, origins in neutralised(path, arguments.show):
            print(f"# --- variant {'none' if variant is None else variant}")
            for origin, line in zip(origins, text.split("\n")):
                print(f"{origin:4} | {line}")
        return 0
    errors = check_chart(arguments.chart.resolve())
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"{arguments.chart}: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print(f"{arguments.chart}: ok (templates parse, every value used is defined and documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
