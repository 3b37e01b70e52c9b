#!/usr/bin/env python3
"""Audits the public API's docs from rustdoc's JSON output.

Every public inherent method must have a one-line summary, an `# Examples` section
whose code asserts, and a word on cost (O(..), lock-free, copy, publish). On the five
collections, moreover, every pure query carries `#[must_use]` and every write (a `&self`
method that is not a read) has a `# Panics` section (the re-entrant write). Prints one
line per method that falls short and a summary; exits 1 if any does.

Usage: ci/docs_audit.py target/doc/cow_collections.json
"""
import json
import re
import sys

doc = json.load(open(sys.argv[1]))
index = doc["index"]
root = index[str(doc["root"])] if str(doc["root"]) in index else index[doc["root"]]

COST = re.compile(
    r"O\(|lock-free|copy|copies|publish|atomic|clone|one pointer|reference-count|allocat",
    re.I,
)


COLLECTIONS = {"CowVec", "CowSet", "CowMap", "CowBTreeSet", "CowBTreeMap"}
QUERIES = {
    "len", "is_empty", "version", "get", "contains", "contains_key", "first", "last",
    "first_key_value", "last_key_value", "is_subset", "is_superset", "is_disjoint",
    "to_vec", "index_of", "last_index_of",
}
# Methods of a collection that take `&self` and publish nothing.
READS = QUERIES | {"read", "snapshot", "reader", "changed", "wait_newer", "watch", "as_cell", "retired"}


def item(i):
    return index[str(i)]


def must_use(fn):
    return any(
        (isinstance(a, dict) and "must_use" in a) or (isinstance(a, str) and "must_use" in a)
        for a in fn.get("attrs") or []
    )


def takes_shared_self(fn):
    inputs = fn["inner"]["function"]["sig"]["inputs"]
    if not inputs or inputs[0][0] != "self":
        return False
    ty = inputs[0][1]
    return isinstance(ty, dict) and "borrowed_ref" in ty and not ty["borrowed_ref"]["is_mutable"]


def public_types():
    seen = set()
    stack = [root]
    while stack:
        m = stack.pop()
        for child in m["inner"]["module"]["items"]:
            it = item(child)
            kind = next(iter(it["inner"]))
            if kind == "use":
                target = it["inner"]["use"].get("id")
                if target is not None and str(target) in index:
                    it = item(target)
                    kind = next(iter(it["inner"]))
            if kind == "module":
                stack.append(it)
            elif kind == "struct" and it["id"] not in seen:
                seen.add(it["id"])
                yield it


methods = problems = trait_impls = 0
for ty in public_types():
    for impl_id in ty["inner"]["struct"]["impls"]:
        impl = item(impl_id)["inner"]["impl"]
        if impl.get("is_synthetic") or impl.get("blanket_impl") is not None:
            continue
        if impl["trait"] is not None:
            trait_impls += 1
            continue
        for fn_id in impl["items"]:
            fn = item(fn_id)
            if fn["visibility"] != "public" or "function" not in fn["inner"]:
                continue
            methods += 1
            docs = fn.get("docs") or ""
            name = f'{ty["name"]}::{fn["name"]}'
            missing = []
            if not docs.strip():
                missing.append("docs")
            if "# Examples" not in docs:
                missing.append("# Examples")
            elif "assert" not in docs.split("# Examples", 1)[1]:
                missing.append("an assert in the example")
            if not COST.search(" ".join(docs.split())):
                missing.append("cost")
            if "# Panics" in docs and "panic" not in docs.split("# Panics", 1)[1].lower() \
                    and not re.search(r"# Panics\s*\n\s*\n\s*(If|Propagates|As|When)", docs):
                missing.append("a real # Panics text")
            if ty["name"] in COLLECTIONS:
                if fn["name"] in QUERIES and not must_use(fn):
                    missing.append("#[must_use]")
                if fn["name"] not in READS and takes_shared_self(fn) and "# Panics" not in docs:
                    missing.append("# Panics (a write)")
            if missing:
                problems += 1
                print(f"{name}: missing {', '.join(missing)}")

print(f"docs audit: {methods} public methods, {problems} short of the rules; "
      f"{trait_impls} trait impls (examples not required)")
sys.exit(1 if problems else 0)
