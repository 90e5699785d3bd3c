#!/usr/bin/env python3
"""Checks the Dockerfile's package lists against the project.

    check_dockerfile.py SOURCE_DIR [NAVETTE_BINARY]

- Build stage: every -dev package and build tool of scripts/install-deps.sh
  is installed, except the test-only ones below (the image builds the binary
  alone). A dependency added to install-deps.sh for the engine must be added
  to the Dockerfile too.
- Run stage (with NAVETTE_BINARY): every shared library the binary links
  (`ldd`) belongs to a package (`dpkg -S`) that the run stage installs, or
  that one of those depends on (Depends and Pre-Depends, followed through
  the installed packages' metadata), or that debian:12-slim already holds
  (the packages of priority `required` and what they depend on).

Exit 1 with one line per problem.
"""

import pathlib
import re
import subprocess
import sys

# In install-deps.sh for the tests, fuzzers and benchmarks only.
TEST_ONLY = {"libgtest-dev", "libgmock-dev", "libclang-rt-dev"}
# The sanitizers' run-time libraries, which a -DNAVETTE_SANITIZE=ON binary (the
# one scripts/test builds) links and the image's release binary does not.
SANITIZER_RUNTIME = re.compile(r"^lib(asan|ubsan|lsan|tsan)\.so")
BUILD_TOOLS = {"build-essential", "cmake", "ninja-build", "pkg-config", "protobuf-compiler"}


def install_deps_packages(source):
    text = (source / "scripts" / "install-deps.sh").read_text(encoding="utf-8")
    body = text[text.index("packages=(") + len("packages=(") :]
    body = body[: body.index("\n)")]
    words = []
    for line in body.split("\n"):
        words += line.split("#", 1)[0].split()
    return set(words)


def dockerfile_stages(source):
    """{stage index: set of packages its `apt-get install` lines name}."""
    text = (source / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    stages, current = [], None
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.upper().startswith("FROM "):
            current = set()
            stages.append(current)
        elif stripped.upper().startswith("RUN ") and current is not None:
            for command in stripped[4:].split("&&"):
                words = command.split()
                if "apt-get" in words and "install" in words:
                    after = words[words.index("install") + 1 :]
                    current.update(w for w in after if not w.startswith("-"))
    return stages


def installed_packages():
    """{package: (priority, [dependency groups])} of every installed package,
    from one dpkg-query."""
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Priority}\t${Pre-Depends}, ${Depends}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    packages = {}
    for line in listing.splitlines():
        status, name, priority, depends = line.split("\t")
        if not status.startswith("ii"):
            continue
        groups = [g.strip() for g in depends.split(",") if g.strip()]
        packages[name] = (priority, groups)
    return packages


def closure(roots, packages):
    """Packages `roots` pull in, as apt would pick them: of alternatives,
    one already wanted, else the first installed here."""
    wanted = set(roots)
    seen, todo = set(), list(roots)
    while todo:
        package = todo.pop()
        if package in seen or package not in packages:
            continue
        seen.add(package)
        for group in packages[package][1]:
            names = [a.strip().split()[0].split(":")[0] for a in group.split("|")]
            for name in [n for n in names if n in wanted] + names:
                if name in packages:
                    todo.append(name)
                    break
    return seen


def linked_packages(binary):
    """{package: [library...]} of every library `ldd` resolves."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    problems, libraries = [], []
    for line in out.splitlines():
        if "not found" in line:
            problems.append(f"{binary}: {line.strip()}")
        match = re.search(r"=>\s+(/\S+)", line)
        if match and not SANITIZER_RUNTIME.match(pathlib.Path(match.group(1)).name):
            libraries.append(pathlib.Path(match.group(1)))
    # Debian 12 has merged /usr: dpkg may know a library by /usr/lib or /lib.
    paths = {}
    for library in libraries:
        for candidate in {str(library), str(library.resolve()), "/usr" + str(library), str(library).removeprefix("/usr")}:
            paths[candidate] = library
    result = subprocess.run(["dpkg", "-S", *sorted(paths)], capture_output=True, text=True, check=False)
    owners, owned = {}, set()
    for line in result.stdout.splitlines():
        package, path = line.split(": ", 1)
        library = paths.get(path.strip())
        if library is not None and library not in owned:
            owned.add(library)
            owners.setdefault(package.split(":")[0], []).append(library.name)
    for library in libraries:
        if library not in owned:
            problems.append(f"{library}: no Debian package owns it (built by hand?)")
    return owners, problems


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    source = pathlib.Path(sys.argv[1])
    problems = []
    stages = dockerfile_stages(source)
    if len(stages) != 2:
        return print(f"Dockerfile: expected 2 stages, found {len(stages)}", file=sys.stderr) or 1
    build, run = stages
    needed = {p for p in install_deps_packages(source) if p.endswith("-dev") or p in BUILD_TOOLS}
    for package in sorted(needed - TEST_ONLY - build):
        problems.append(
            f"Dockerfile: the build stage does not install {package}, which scripts/install-deps.sh "
            f"lists (add it, or to TEST_ONLY in {pathlib.Path(__file__).name} if only tests need it)"
        )
    if len(sys.argv) == 3:
        owners, found = linked_packages(pathlib.Path(sys.argv[2]))
        problems += found
        packages = installed_packages()
        required = [name for name, (priority, _) in packages.items() if priority == "required"]
        provided = closure(run, packages) | closure(required, packages)
        for package, libraries in sorted(owners.items()):
            if package not in provided:
                problems.append(
                    f"Dockerfile: the run stage lacks {package} ({', '.join(libraries)}), which "
                    f"navette links: add the package that brings it"
                )
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    checked = "build stage" + (" and run stage" if len(sys.argv) == 3 else "")
    print(f"Dockerfile: ok ({checked} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
