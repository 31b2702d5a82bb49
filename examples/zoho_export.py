"""Generate a Leads export in Zoho CRM's own CSV format, and rows to import against it.

    python examples/zoho_export.py OUT_DIR [--leads 3000] [--rows 300]

The export is what Zoho's "Export Leads" writes: columns by display label ("Record Id", "Lead
Owner", "First Name", "No. of Employees", "Created Time"), ids with the ``zcrm_`` prefix, times
as ``2024-06-19 01:58:32`` (no offset), owners and names with non-ASCII letters, companies with
quoted commas, descriptions with quoted newlines and quotes. Nothing is random: the same sizes
give the same files.

The rows (labels too) are built so that what each one does is known in advance:
``write_rows`` returns the counts a plan must report with ``--unique Mobile
--normalize Mobile:digits``: updates by Email (any case), by Mobile (spelled another way, so
only the digits normaliser matches), inserts, rows without a Last Name (MANDATORY_NOT_FOUND),
and rows whose Email two exported leads share, where the lead with the larger id was created
first (R11: the oldest by Created Time is updated, not the smallest id).
"""

from __future__ import annotations

import argparse
import csv
from datetime import datetime, timedelta
from pathlib import Path

HEADER = [
    "Record Id",
    "Lead Owner",
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Email",
    "Mobile",
    "Lead Status",
    "No. of Employees",
    "Annual Revenue",
    "Description",
    "Created Time",
    "Modified Time",
]
OWNERS = ("Amélie Dubois", "Jürgen Weiß", "Example User", "李娜")
FIRST_NAMES = ("Zoë", "Søren", "José", "Chloé", "Ólafur", "Ana", "Łukasz", "Mei")
STATUSES = ("Not Contacted", "Contacted", "Attempted to Contact", "Pre-Qualified")
START = datetime(2024, 6, 19, 1, 58, 32)
FIRST_ID = 5725767000001000000


def lead_id(i: int) -> str:
    """The id of exported lead ``i``."""
    return str(FIRST_ID + i)


def mobile(i: int) -> str:
    """Lead ``i``'s Mobile as the export holds it."""
    return f"+1 555 {i:07d}"


def write_export(path: Path, leads: int) -> None:
    """``leads`` Leads in Zoho's export format; the last shares lead 1's Email, created first."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # Zoho quotes only what needs it; \r\n line ends
        writer.writerow(HEADER)
        for i in range(leads):
            created = START + timedelta(minutes=i)
            email = "" if i % 10 == 9 else f"lead{i}@example.com"
            if i == leads - 1:  # a repeat of lead 1's Email, exported last but created first
                email, created = "lead1@example.com", START - timedelta(days=30)
            description = ""
            if i % 7 == 0:
                description = f'Met at "Expo {i % 12}", booth {i % 40}\nCall back, after 4 pm'
            writer.writerow(
                [
                    f"zcrm_{lead_id(i)}",
                    OWNERS[i % len(OWNERS)],
                    FIRST_NAMES[i % len(FIRST_NAMES)],
                    f"Lead{i}",
                    "Einkäufer" if i % 5 == 0 else "",
                    f"Acme {i % 50}, Inc.",
                    email,
                    mobile(i),
                    STATUSES[i % len(STATUSES)],
                    str(i % 100) if i % 3 else "",
                    f"{(i % 20) * 10000}" if i % 4 else "",
                    description,
                    created.strftime("%Y-%m-%d %H:%M:%S"),
                    (created + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
                ]
            )


def write_rows(path: Path, rows: int, leads: int) -> dict[str, object]:
    """``rows`` rows to import (labels as headers); returns the summary a plan must give."""
    counts = {"email": 0, "mobile": 0, "insert": 0, "mandatory": 0, "oldest": 0}
    span = leads - 10  # targets are never the repeated Email's leads
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Last Name", "First Name", "Email", "Mobile", "Lead Status"])
        for j in range(rows):
            kind = j % 10
            if kind < 5:  # update by Email, spelled in another case (R8)
                i = (10 * j + 2) % span
                row = [f"Lead{i}", "Zoë", f"LEAD{i}@Example.com", "", "Contacted"]
                counts["email"] += 1
            elif kind < 7:  # update by Mobile, spelled as digits only
                i = (10 * j + 3) % span
                digits = "".join(c for c in mobile(i) if c.isdigit())
                row = [f"Lead{i}", "", "", digits, "Qualified"]
                counts["mobile"] += 1
            elif kind == 7:  # a new lead
                row = [f"New{j}, Jr.", "Øystein", f"new{j}@example.org", f"+44 20 {j:07d}", ""]
                counts["insert"] += 1
            elif kind == 8:  # no match, and no Last Name
                row = ["", "Nameless", f"nobody{j}@example.org", "", ""]
                counts["mandatory"] += 1
            else:  # the Email two leads share: the one created first is updated (R11)
                row = ["Lead1", "", "lead1@EXAMPLE.com", "", "Contacted"]
                counts["oldest"] += 1
            writer.writerow(row)
    return {
        "rows": rows,
        "inserted": counts["insert"],
        "updated": {
            k: v
            for k, v in (
                ("Email", counts["email"] + counts["oldest"]),
                ("Mobile", counts["mobile"]),
            )
            if v
        },
        "failed": {"MANDATORY_NOT_FOUND": counts["mandatory"]} if counts["mandatory"] else {},
        "oldest_id": lead_id(leads - 1),
    }


def main() -> None:
    """Write export.csv and rows.csv into the folder given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--leads", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_export(folder / "export.csv", args.leads)
    expected = write_rows(folder / "rows.csv", args.rows, args.leads)
    print(f"wrote {folder / 'export.csv'} and {folder / 'rows.csv'}; expected: {expected}")


if __name__ == "__main__":
    main()
