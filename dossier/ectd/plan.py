"""Planning a sequence: the wanted leaves (wanted.py), their study tagging files, and their lifecycle
operations against everything submitted before. Pure: no file is read or written here.
"""

from __future__ import annotations

from .backbone import md5_hex
from .leaf import Leaf, Module1, Plan
from .lifecycle import LiveLeaf, apply_lifecycle
from .naming import file_name, fit_path
from .stf import stf_xml
from .wanted import Inputs, Trees, attachment_leaves, document_leaves, finish_paths, keyed_values

__all__ = ["Inputs", "Trees", "plan_sequence"]


def study_leaves(leaves: list[Leaf]) -> list[Leaf]:
    """One STF leaf per study, beside the study's files. Its fingerprint covers the study's leaves,
    so the STF is sent again exactly when one of them changes."""
    studies: dict[str, list[Leaf]] = {}
    titles: dict[str, str] = {}
    for leaf in leaves:
        if leaf.study:
            studies.setdefault(leaf.study, []).append(leaf)
            titles.setdefault(leaf.study, leaf.study_title or leaf.study)
        for study, title in leaf.extra_studies.items():
            studies.setdefault(study, []).append(leaf)
            titles.setdefault(study, title or study)
    out = []
    for study, members in sorted(studies.items()):
        first = members[0]
        folder = first.path.rpartition("/")[0]
        title = titles[study]
        parts = sorted(f"{m.path}|{m.fingerprint}|{m.title}|{m.file_tag}|{sorted(m.categories.items())}"
                       for m in members)
        out.append(Leaf(path=fit_path(folder, file_name(f"stf-{study}.xml")), heading=first.heading,
                        title=f"Study tagging file: {title}", kind="stf", ref=study, study_title=title,
                        fingerprint=md5_hex("\n".join([study, title] + parts).encode())))
    return out


def write_stfs(plan: Plan, wanted: list[Leaf], live: dict[str, LiveLeaf]) -> None:
    """Make the bytes of every STF this sequence sends; its documents are the study's leaves, sent
    here or live in an earlier sequence."""
    sent = {leaf.path for leaf in plan.sent()}
    for stf in [leaf for leaf in plan.sent() if leaf.kind == "stf"]:
        members = [leaf for leaf in wanted if leaf.in_study(stf.ref)]
        docs: list[tuple[str | None, str, str, str]] = []
        for m in members:
            assert m.file_tag is not None, f"{m.path} belongs to a study, so it has a file tag"
            docs.append((None, m.id, m.title, m.file_tag) if m.path in sent else
                        (live[m.path].seq, live[m.path].id, m.title, m.file_tag))
        categories = {}
        for m in members:
            categories.update(m.categories)
        assert stf.study_title is not None, "study_leaves names the study of every study tagging file"
        data = stf_xml(stf.path, stf.study_title, stf.study_title, docs, categories)
        plan.generated[stf.path] = data
        stf.md5 = md5_hex(data)


def plan_sequence(inputs: Inputs, trees: Trees, number: str, live: dict[str, LiveLeaf], module1: Module1) -> Plan:
    """Decide every leaf of sequence `number` and its operation against the `live` leaves."""
    notes: list[str] = []
    wanted = document_leaves(inputs, trees, notes) + attachment_leaves(inputs, trees, notes)
    # Shared keyed headings; a per-instance document's own come from its instance (wanted._document_leaf).
    headings = {leaf.heading for leaf in wanted if leaf.keyed is None} | \
        {old.heading for old in live.values() if old.heading and old.keyed is None}
    keyed = keyed_values(inputs, trees, headings, notes)
    finish_paths(wanted, trees, keyed)
    wanted += study_leaves(wanted)
    planned, unchanged = apply_lifecycle(wanted, live)
    plan = Plan(number=number, leaves=planned, module1=module1, keyed=keyed, notes=notes, unchanged=unchanged)
    write_stfs(plan, wanted, live)
    return plan
