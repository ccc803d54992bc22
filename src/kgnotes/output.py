"""Plain-text renderings of library results for the terminal (JSON goes out as it is)."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: printing search results must not import the archiver
    from kgnotes.archive import ArchiveReport, LinkResult
    from kgnotes.graph import ConceptSummary, GraphReport, LearningPath, Prerequisites
    from kgnotes.hits import SearchHit
    from kgnotes.index import IndexReport
    from kgnotes.ingest import FileReport
    from kgnotes.store import UnresolvedTitle, VaultCounts
    from kgnotes.vault import ExportReport
    from kgnotes.views import DocumentView, GraphDrawing, LinkView
    from kgnotes.watch import WatchEvent


def to_json(data: Any) -> str:
    """JSON of plain data, of a result that knows its JSON shape (``as_json``), of a
    dataclass, or of a list of them."""
    return json.dumps(_plain(data), ensure_ascii=False, indent=2)


def _plain(data: Any) -> Any:
    if hasattr(data, "as_json"):
        return data.as_json()
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.asdict(data)
    if isinstance(data, list):
        return [_plain(item) for item in data]
    return data


def file_line(report: FileReport) -> str:
    """One line per notes file: what changed."""
    if report.status == "unchanged":
        return f"{report.label}: unchanged"
    parts = [f"{report.entries} entries"]
    if report.status == "updated":
        parts.append(f"{report.entries_changed} changed, {report.entries_removed} removed")
    parts.append(f"{report.links} links ({report.new_links} new)")
    return f"{report.label}: {report.status}, " + ", ".join(parts)


def status_lines(counts: VaultCounts) -> list[str]:
    by_status = dataclasses.asdict(counts.links_by_status)
    lines = [
        f"entries    {counts.entries}",
        f"links      {counts.links} ("
        + ", ".join(f"{n} {name}" for name, n in by_status.items())
        + ")",
        f"documents  {counts.documents}",
        f"chunks     {counts.chunks}",
        f"concepts   {counts.concepts}",
        f"edges      {counts.edges}",
    ]
    if counts.titles_without_paper:
        lines.append(f"papers     {counts.titles_without_paper} named by title with no paper found")
    return lines


def title_line(title: UnresolvedTitle) -> str:
    """A paper named by title alone, set out like a failed link."""
    day = title.day or "-"
    return f"{day:<10}  {'-':<16} {'paper':<8} {'failed':<9} “{title.title}”  ({title.reason})"


def link_line(link: LinkView) -> str:
    """``2024-07-27  read/positive  video     archived  https://…  title``"""
    opinion = "/".join(x for x in (link.reading, link.quality) if x) or "-"
    title = f"  {link.title}" if link.title else ""
    why = f"  ({link.error})" if link.status == "failed" and link.error else ""
    return (
        f"{link.first_seen}  {opinion:<16} {link.kind:<8} {link.status:<9} {link.url}{title}{why}"
    )


def result_line(result: LinkResult) -> str:
    """One line per archived or failed link (plain output when stderr is not a terminal)."""
    if result.ok:
        via = " (from the Wayback Machine)" if result.via == "wayback" else ""
        title = f" — {result.title}" if result.title else ""
        return f"archived {result.url}{title}{via}"
    return f"failed   {result.url}: {result.error}"


def archive_summary(report: ArchiveReport) -> str:
    """``archived 12, failed 3 (dns 2, http 404 1), skipped 1 …``"""
    failed = report.failed_by_reason
    text = f"archived {report.archived}, failed {sum(failed.values())}"
    if failed:
        text += (
            " ("
            + ", ".join(
                f"{reason} {n}" for reason, n in sorted(failed.items(), key=lambda i: (-i[1], i[0]))
            )
            + ")"
        )
    if report.skipped:
        text += f", skipped {report.skipped} that failed before"
    if report.results:
        text += f", in {report.seconds:.1f} s"
    if failed or report.skipped:
        text += " — retry with: kgnotes archive --retry-failed"
    return text


def document_text(doc: DocumentView) -> str:
    """A link's archived document for reading in a terminal: a header, then the Markdown."""
    header = [doc.title or doc.url, doc.url]
    facts = [doc.author, doc.published, doc.site, doc.language]
    if any(facts):
        header.append(" · ".join(f for f in facts if f))
    state = doc.status + (f" via {doc.via}" if doc.via == "wayback" else "")
    if doc.error:
        state += f": {doc.error}"
    header.append(state)
    if doc.description:
        header.append(doc.description)
    body = doc.text if doc.text else "(no text was archived for this link)"
    return "\n".join(header) + "\n\n" + body


def index_line(report: IndexReport) -> str:
    return (
        f"indexed {report.chunks} chunks ({report.changed} changed, {report.removed} removed), "
        f"embedded {report.embedded} with {report.model}"
        + (f" on {report.device}" if report.device else "")
        + f", in {report.seconds:.1f} s"
        + "".join(
            f"; approximate index {'built' if n.rebuilt else 'updated'}: {n.vectors} vectors"
            + ("" if n.rebuilt else f" ({n.added} added, {n.removed} removed)")
            + f" in {n.seconds:.1f} s"
            for n in report.nearest
        )
    )


def search_lines(results: list[SearchHit]) -> list[str]:
    """Two lines per result: kind, date and title; then the snippet."""
    if not results:
        return ["no results"]
    lines = []
    for n, r in enumerate(results, start=1):
        where = r.moment or r.url or r.page or ""
        lines.append(f"{n:>2}. [{r.kind}] {r.date or '----------'}  {r.title}  {where}")
        lines.append(f"    {r.snippet}")
    return lines


def hits_json(results: list[SearchHit]) -> str:
    return to_json([dataclasses.asdict(r) for r in results])


def concept_lines(concepts: list[ConceptSummary]) -> list[str]:
    """``Transformer  (transformers, transformer)  5 sources, 31 mentions``"""
    if not concepts:
        return ["no concepts yet — add notes and archive their links first"]
    lines = []
    for c in concepts:
        aliases = f"  ({', '.join(c.aliases[:4])})" if c.aliases else ""
        lines.append(
            f"{c.name}{aliases}  {c.sources} sources, {c.mentions} mentions, group {c.community}"
        )
    return lines


def path_lines(found: LearningPath) -> list[str]:
    """The path on one line, then each step with its signals and evidence."""
    lines = [" → ".join(found.path)]
    for rung in found.rungs:
        lines.append(f"\n{rung.source} → {rung.target}")
        lines += [f"  because {signal}" for signal in rung.signals]
        lines += [f"  “{e.sentence}” — {e.source}" for e in rung.evidence]
    return lines


def prereq_lines(found: Prerequisites) -> list[str]:
    if not found.prereqs:
        return [f"{found.concept} builds on nothing in this vault"]
    lines = [f"Before {found.concept}, in order:"]
    for number, item in enumerate(found.prereqs, start=1):
        lines.append(f"{number:>3}. {item.name}")
        lines += [f"       {s.title or s.url}  {s.url}" for s in item.sources[:2]]
    return lines


def graph_lines(found: GraphDrawing) -> list[str]:
    if found.output is not None:
        return [
            f"wrote {found.output}: {found.concepts} concepts, {found.nodes} nodes, "
            f"{found.edges} edges"
        ]
    if not found.builds_on:
        return ["no builds-on relations yet — add notes and archive their links first"]
    return [f"{r.source} → {r.target}" for r in found.builds_on]


def graph_report_line(report: GraphReport) -> str:
    return (
        f"concept graph: {report.concepts} concepts, {report.builds_on} builds-on, "
        f"{report.related} related"
    )


def export_line(report: ExportReport) -> str:
    kept = len(report.kept_edited) + len(report.kept_foreign)
    return (
        f"vault: {len(report.written)} pages written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed, {kept} kept as you left them"
    )


def watch_lines(event: WatchEvent) -> list[str]:
    """What ``kgnotes watch`` prints for one burst of saves: a line per file, then one for
    what followed (passages embedded, pages written, links sent to be archived)."""
    lines = [f"{path}: gone from disk; its entries are kept" for path in event.removed]
    if event.archived is not None:
        lines.append(f"archive: {event.archived}")
    report = event.report
    if report is None:
        return lines
    lines += [file_line(f) for f in report.files if not event.first or f.status != "unchanged"]
    if event.first and not lines:
        lines.append(f"{len(report.files)} notes files read, all unchanged")
    done = []
    if report.index is not None and report.index.changed:
        done.append(f"{report.index.changed} passages indexed")
    if report.vault is not None and report.vault.written:
        done.append(f"{len(report.vault.written)} vault pages written")
    if event.archiving:
        done.append("new links archiving in the background")
    if done:
        lines.append("  " + ", ".join(done))
    return lines
