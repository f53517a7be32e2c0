#!/usr/bin/env python3
"""Reads `heaptrack_print --print-leaks 1` output and sorts the leaked memory by owner.

Usage: leak_report.py PRINT_OUTPUT.txt XBARMC_BINARY_PATH
Prints one JSON object: total leaked bytes, the bytes and backtraces whose allocating frame
(the first frame that is not malloc/operator new/an allocator wrapper) lies in the xbarmc binary
("own"), and of those the bytes allocated on TBB worker threads ("own_on_tbb_workers").
"""
import json
import re
import sys

HEADER = re.compile(r"^(\S+) leaked over (\d+) calls from(:?)$")
ALLOCATOR = re.compile(
    r"^(operator new|malloc|calloc|realloc|aligned_alloc|posix_memalign|memalign|"
    r"Eigen::internal::(conditional_)?aligned_malloc|Eigen::internal::handmade_aligned_malloc|"
    r"std::__new_allocator|__gnu_cxx::new_allocator|std::allocator|"
    r"std::allocator_traits|std::_Vector_base|std::__cxx11::basic_string<>::_M_create|"
    r"std::__cxx11::basic_string<>::_M_construct)"
)
UNITS = {"": 1, "B": 1, "K": 1e3, "M": 1e6, "G": 1e9}


def to_bytes(text):
    m = re.match(r"^([0-9.]+)([KMG]?)B?$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else 0.0


def parse(lines):
    """Yields (bytes, [(function, module)]) for each leaked backtrace."""
    site = None  # (function, module) of the current allocation site
    stack = None
    size = 0.0
    i = 0
    out = []
    while i < len(lines):
        line = lines[i].rstrip("\n")
        m = HEADER.match(line)
        if m and not m.group(3):  # site header: the next line is the site's function
            if stack is not None:
                out.append((size, stack))
                stack = None
            func = lines[i + 1].strip() if i + 1 < len(lines) else ""
            module = ""
            j = i + 2
            while j < len(lines) and lines[j].startswith("  ") and not lines[j].startswith("    "):
                if lines[j].strip().startswith("in "):
                    module = lines[j].strip()[3:]
                j += 1
            site = (func, module)
            i = j
            continue
        if m and m.group(3):  # one backtrace of the site
            if stack is not None:
                out.append((size, stack))
            size = to_bytes(m.group(1))
            stack = [site]
        elif stack is not None and line.startswith("    ") and not line.startswith("      "):
            stack.append((line.strip(), ""))
        elif stack is not None and line.strip().startswith("in ") and len(stack) > 1:
            stack[-1] = (stack[-1][0], line.strip()[3:])
        elif stack is not None and not line.startswith(" "):
            out.append((size, stack))
            stack = None
        i += 1
    if stack is not None:
        out.append((size, stack))
    return out


def main():
    text = open(sys.argv[1], encoding="utf-8", errors="replace").readlines()
    binary = sys.argv[2]
    total = 0.0
    for line in text:
        if line.startswith("total memory leaked:"):
            total = to_bytes(line.split(":", 1)[1].strip())
    own, own_bytes, own_tbb = [], 0.0, 0.0
    for size, stack in parse(text):
        frames = [f for f in stack if f[0]]
        first = next((f for f in frames if not ALLOCATOR.match(f[0])), None)
        if first is None or first[1] != binary:
            continue
        own_bytes += size
        on_tbb = any("libtbb" in mod for _, mod in frames)
        own_tbb += size if on_tbb else 0.0
        own.append({"bytes": size, "at": first[0], "on_tbb_worker": on_tbb})
    print(json.dumps({"total": total, "own": own_bytes, "own_on_tbb_workers": own_tbb,
                      "own_sites": own}))


if __name__ == "__main__":
    main()
