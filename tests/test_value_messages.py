"""What the value checks say (issue 13): the cell as typed, the cause and the fix, in words a
spreadsheet user reads; never a library's code points and positions, never a Python repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from webinar_validate import validate_file
from webinar_validate.contract.columns import ColumnSpec, Kind, SessionContract
from webinar_validate.contract.messages import email_reason
from webinar_validate.contract.values import email_problem

GROUP = "6f5f6278-28d3-463a-9da6-ea2610aa3dff"

ADDRESSES = [
    (
        "\u201dmaria@example.org\u201d",
        "a curly quote (\u201d) is in the address; delete the quotes",
    ),
    ("\u201cmaria@example.org\u201d", "a curly quote (\u201c) is in the address"),
    ("\u2018maria@example.org\u2019", "a curly quote (\u2018) is in the address"),
    ('"maria@example.org"', "it is in quotes; delete them"),
    ("maria @example.org", "it contains a space; delete it"),
    ("maria\xa0@example.org", "it contains a no-break space (U+00A0); delete it"),
    ("maria@example.org\u200b", "it contains an invisible zero width space (U+200B)"),
    ("maria.example.org", "it has no @; write it like maria@example.org"),
    ("maria(at)example.org", "it has no @"),
    ("maria@example.org.", "it ends with a period; delete that period"),
    (".maria@example.org", "it starts with a period"),
    ("maria..lopez@example.org", "two periods in a row; delete one"),
    ("maria.@example.org", "a period just before the @"),
    ("maria@example", "the part after the @ has no period; write the whole domain"),
    ("maria@@example.org", "it has more than one @; keep one"),
    ("@example.org", "nothing comes before the @"),
    ("maria@", "nothing comes after the @"),
    ("Maria Lopez <maria@example.org>", "angle brackets (< >) around it; keep only the address"),
    ("mailto:maria@example.org", "delete the mailto: at its start"),
    ("maria@example.org>", "it contains the character >, which no address may hold"),
    ("maria@exam\u2024ple.org", "it contains the character \u2024"),
    ("maria@example.local", "a reserved name"),
]


@pytest.mark.parametrize(("address", "says"), ADDRESSES)
def test_email_reasons_are_plain_sentences(address: str, says: str) -> None:
    why = email_problem(address)
    assert why is not None, f"{address} is valid"
    reason = email_reason(address, why)
    assert says in reason
    for jargon in ("Codepoint", "position", "@-sign", "SPACE", "not permitted here"):
        assert jargon not in reason


def test_a_valid_curly_apostrophe_inside_the_name_stays_valid() -> None:
    """email-validator takes maria\u2019s@example.org (an internationalized name): so do we."""
    assert email_problem("maria\u2019s@example.org") is None


def _report_messages(tmp_path: Path, header: str, *cells: str) -> list[str]:
    path = tmp_path / "sessions.csv"
    rows = [
        f"{GROUP},S{i},2030-09-{i + 10}T10:00:00Z,2030-09-{i + 10}T11:00:00Z,UTC,zoom,{cell}"
        for i, cell in enumerate(cells)
    ]
    base = "courseGroupId,title,startDate,endDate,timeZone,webinarProvider,"
    path.write_text(base + header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = validate_file(path)
    return [e.message for row in report.invalid_rows for e in row.errors]


def test_an_address_is_named_as_typed_not_as_python_repr(tmp_path: Path) -> None:
    [said] = _report_messages(tmp_path, "instructorEmails", "ana@example.org;maria\xa0@example.org")
    assert said == (
        "instructorEmails has the address maria\xa0@example.org, which is not valid: it contains "
        "a no-break space (U+00A0); delete it."
    )
    assert "\\x" not in said
    assert "'" not in said


def test_a_single_address_column_says_the_same(tmp_path: Path) -> None:
    """A contract extended with a one-address column (Kind.EMAIL) uses the same plain words."""
    contract = SessionContract.DEFAULT.with_columns([ColumnSpec("hostEmail", Kind.EMAIL)])
    path = tmp_path / "sessions.csv"
    path.write_text(
        "courseGroupId,title,startDate,endDate,timeZone,webinarProvider,hostEmail\n"
        f"{GROUP},A,2030-09-10T10:00:00Z,2030-09-10T11:00:00Z,UTC,zoom,\u201dmaria@example.org\u201d\n"
        f'{GROUP},B,2030-09-11T10:00:00Z,2030-09-11T11:00:00Z,UTC,zoom,"a@example.org, b@x.org"\n',
        encoding="utf-8",
    )
    report = validate_file(path, contract=contract)
    said = [e.message for row in report.invalid_rows for e in row.errors]
    assert said == [
        "hostEmail \u201dmaria@example.org\u201d is not a valid e-mail address: a curly quote "
        "(\u201d) is in the address; delete the quotes and type the address alone, like "
        "maria@example.org.",
        "hostEmail a@example.org, b@x.org holds more than one address; give one address only.",
    ]


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        (
            "49.99",
            "priceInCents 49.99 is not a whole number of cents; prices are in cents: "
            "write 4999 for $49.99.",
        ),
        ("49.9", "write 4990 for $49.90."),
        (".5", "write 50 for $0.50."),
        (
            "$49",
            "priceInCents $49 is an amount in dollars; prices are in cents: write 4900 for $49.00.",
        ),
        ("$ 12.34", "write 1234 for $12.34."),
        ("49.995", "write a whole number of cents, such as 5000 for $50.00."),
        ("forty", "priceInCents 'forty' is not a whole number; write digits only, such as 50."),
    ],
)
def test_a_price_in_dollars_is_said_in_cents(tmp_path: Path, cell: str, says: str) -> None:
    [said] = _report_messages(tmp_path, "priceInCents", cell)
    assert said.endswith(says)


def test_only_a_column_of_cents_speaks_of_cents(tmp_path: Path) -> None:
    [said] = _report_messages(tmp_path, "seatsLimit", "49.99")
    assert said == "seatsLimit '49.99' is not a whole number; write digits only, such as 50."
