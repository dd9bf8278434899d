"""Who owns a URN that several files claim: the file whose name has the URN's code, or none."""

from __future__ import annotations

from rdflib import Literal, URIRef

from akgraph import build, iris
from akgraph.iris import AK

from .test_bad_input import MEASURES, measure, problems, write


def subject_of(built, rel: str) -> URIRef:
    (subject,) = built.data.subjects(AK.sourcePath, Literal(rel))
    return subject


def test_a_file_that_claims_anothers_urn_does_not_take_it(checkout):
    """A copy sorting before the real file claims its URN: the real file keeps it."""
    wrong = write(checkout, "0-org-01-kopie.md", measure("Kopie", "urn:nl:ak:mtr:pba-01"))
    real = f"{MEASURES}/1-pba-01-formuleren-probleemdefinitie.md"
    built = build(checkout)
    assert str(subject_of(built, real)) == "urn:nl:ak:mtr:pba-01"
    minted = subject_of(built, wrong)
    assert minted == iris.item("measure", "0-org-01-kopie")
    assert (minted, AK.claimedIdentifier, Literal("urn:nl:ak:mtr:pba-01")) in built.data
    (problem,) = problems(built, "duplicate-id")
    assert problem.path == wrong and problem.value == "urn:nl:ak:mtr:pba-01"
    assert wrong in problem.message and real in problem.message


def test_when_no_claimant_has_the_code_none_owns_the_urn(checkout):
    first = write(checkout, "9-abc-01-een.md", measure("Een", "urn:nl:ak:mtr:xyz-09"))
    second = write(checkout, "9-abc-02-twee.md", measure("Twee", "urn:nl:ak:mtr:xyz-09"))
    built = build(checkout)
    assert (URIRef("urn:nl:ak:mtr:xyz-09"), None, None) not in built.data
    for rel in (first, second):
        assert str(subject_of(built, rel)).startswith("urn:nl:ak:mtr:9-abc-0")
    (problem,) = problems(built, "duplicate-id")
    assert first in problem.message and second in problem.message
    assert "none owns it" in problem.message


def test_when_several_claimants_have_the_code_none_owns_the_urn(checkout):
    first = write(checkout, "9-xyz-09-een.md", measure("Een", "urn:nl:ak:mtr:xyz-09"))
    second = write(checkout, "9-xyz-09-twee.md", measure("Twee", "urn:nl:ak:mtr:xyz-09"))
    built = build(checkout)
    assert (URIRef("urn:nl:ak:mtr:xyz-09"), None, None) not in built.data
    (problem,) = problems(built, "duplicate-id")
    assert first in problem.message and second in problem.message


def test_minted_iris_are_the_same_in_every_run_and_release(checkout, tmp_path):
    write(checkout, "9-abc-01-een.md", measure("Een", "urn:nl:ak:mtr:xyz-09"))
    write(checkout, "9-abc-02-twee.md", measure("Twee", "urn:nl:ak:mtr:xyz-09"))
    first = {str(s) for s in build(checkout).data.subjects(AK.identifierMinted, None)}
    # the next release: another file is added that sorts first; the minted IRIs stay
    write(checkout, "0-abc-00-nul.md", measure("Nul", "urn:nl:ak:mtr:xyz-09"))
    (checkout / "SOURCE").write_text("sample-1.1 abc 2030-01-01\n")
    second = {str(s) for s in build(checkout).data.subjects(AK.identifierMinted, None)}
    assert first < second
