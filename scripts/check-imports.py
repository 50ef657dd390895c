#!/usr/bin/env python3
"""Checks that the imports match the architecture: run by `make test` before the build.

Fails (exit 1, one line per problem) when a source file imports a module its target does not
declare in Package.swift (it would compile only because another target happened to pull the module
in), or when a target depends on one of ours that sits in the same or a higher layer. The layers are
the README's design diagram, bottom first; a new target must be given a layer here.
"""
import json
import os
import re
import subprocess
import sys

# Our targets, bottom layer first. A target may depend only on targets of lower layers.
LAYERS = [
    ["CLZ4", "CZlib", "CDeflate", "CMalloc"],  # system libraries
    ["PaxosCore"],  # the Paxos roles, no I/O
    ["PaxosProtocol", "PaxosCompression", "PaxosCertificates"],  # wire types; block codecs; X.509 identities
    ["PaxosReplica", "PaxosJournal", "PaxosTransport"],  # consensus engine; storage; sockets
    ["PaxosLogStore"],  # the committed log on disk, over the journal
    ["PaxosNode", "PaxosLogClient"],  # one node process; the client library
    ["PaxosLogCLI"],  # the commands
    ["paxoslog"],  # the executable
]
# Modules every target may import without declaring them: the toolchain's own.
TOOLCHAIN = {
    "Foundation", "FoundationEssentials", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization",
    "Testing", "XCTest", "_Concurrency", "os",
}

IMPORT = re.compile(r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    manifest = json.loads(subprocess.run(
        ["swift", "package", "--package-path", root, "dump-package"], check=True, capture_output=True, text=True
    ).stdout)
    rank = {name: layer for layer, names in enumerate(LAYERS) for name in names}
    problems = []
    for target in manifest["targets"]:
        name = target["name"]
        is_test_code = target["type"] == "test" or (target.get("path") or "").startswith("Tests/")
        declared = set()
        for dependency in target["dependencies"]:
            kind, value = next(iter(dependency.items()))
            declared.add(value[0])
        if not is_test_code and name not in rank:
            problems.append(f"{name}: not in any layer of scripts/check-imports.py")
        for dependency in sorted(declared):
            if not is_test_code and dependency in rank and name in rank and rank[dependency] >= rank[name]:
                problems.append(f"{name} depends on {dependency}, which is not in a lower layer")
        if target["type"] == "system":
            continue
        path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        for directory, _, files in os.walk(os.path.join(root, path)):
            for file in sorted(files):
                if not file.endswith(".swift"):
                    continue
                source = os.path.join(directory, file)
                with open(source, encoding="utf-8") as handle:
                    for number, line in enumerate(handle, 1):
                        match = IMPORT.match(line)
                        if not match:
                            continue
                        module = match.group(1)
                        if module in TOOLCHAIN or module in declared or module == name:
                            continue
                        relative = os.path.relpath(source, root)
                        problems.append(f"{relative}:{number}: imports {module}, which {name} does not declare")
    for problem in problems:
        print(f"check-imports: {problem}", file=sys.stderr)
    if not problems:
        print(f"check-imports: {len(manifest['targets'])} targets, every import declared, every dependency downward")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
