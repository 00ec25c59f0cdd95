"""Study tagging files (ICH STF v2.2): one XML file per study whose reports sit in 4.2.x or 5.3.1–5.3.5,
listing that study's documents in this sequence, so FDA's reviewers see the study rather than files
under "unassigned".
"""

from __future__ import annotations

import re

from lxml import etree

from .backbone import ICH_NS, XLINK_NS, serialize, xlink

STF_DTD = "util/dtd/ich-stf-v2-2.dtd"
NONCLINICAL_TAG = "pre-clinical-study-report"
CLINICAL_TAG = "study-report"
_STUDY_HEADING = re.compile(r"^(m4-2-\d|m5-3-[1-5])")


def needs_stf(heading: str) -> bool:
    """Studies reported under 4.2.x or 5.3.1–5.3.5 need a study tagging file."""
    return bool(_STUDY_HEADING.match(heading))


def file_tag(heading: str) -> str:
    return NONCLINICAL_TAG if heading.startswith("m4-") else CLINICAL_TAG


def stf_xml(stf_path: str, study_id: str, title: str, documents: list[tuple[str | None, str, str, str]],
            categories: dict[str, str] | None = None) -> bytes:
    """The STF at `stf_path` (inside the sequence) for one study.

    `documents` are (sequence, leaf ID, leaf title, file tag) of the study's live leaves: sequence
    None for a leaf sent in this sequence (its index.xml), else the earlier sequence holding it.
    """
    up = "../" * stf_path.count("/")
    root = etree.Element(f"{{{ICH_NS}}}study", nsmap={"ectd": ICH_NS, "xlink": XLINK_NS})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    root.set("dtd-version", "2.2")
    ident = etree.SubElement(root, "study-identifier")
    etree.SubElement(ident, "title").text = title
    etree.SubElement(ident, "study-id").text = study_id
    for name, value in (categories or {}).items():
        etree.SubElement(ident, "category", name=name, **{"info-type": "ich"}).text = value
    docs = etree.SubElement(root, "study-document")
    for seq, leaf_id, leaf_title, tag in documents:
        content = etree.SubElement(docs, "doc-content")
        index = "index.xml" if seq is None else f"../{seq}/index.xml"
        content.set(xlink("href"), f"{up}{index}#{leaf_id}")
        etree.SubElement(content, "title").text = leaf_title
        etree.SubElement(content, "file-tag", name=tag, **{"info-type": "ich"})
    return serialize(root, f'<!DOCTYPE ectd:study SYSTEM "{up}{STF_DTD}">')


def stf_references(data: bytes) -> tuple[str | None, list[str]]:
    """(study id, hrefs of its doc-content) of an STF file's bytes; (None, []) when it is not an STF."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None, []
    if root.tag != f"{{{ICH_NS}}}study":
        return None, []
    refs = [el.get(xlink("href"), "") for el in root.iter("doc-content")]
    return root.findtext("study-identifier/study-id"), refs
