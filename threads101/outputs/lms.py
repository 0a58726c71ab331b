"""The way back to the learning platform: the grades as Canvas and Moodle import files.

`threads101 export` writes, next to grades.csv and grades.json:

- `exports/canvas.csv`, for Canvas's Grades > Import. Columns `Student`, `ID`,
  `SIS User ID`, `SIS Login ID`, `Section`, then one assignment column named after
  the assignment (`threads101`); a second row starting with `Points Possible` gives
  the assignment's maximum. Canvas finds each student by `ID` (the Canvas user id),
  else by `SIS User ID` or `SIS Login ID`, else by name; the assignment column
  matches an assignment of that title, or "title (assignment id)", or Canvas creates
  one. A student needs at least one of the three ids in the roster.
- `exports/moodle.csv`, for Moodle's Grades > Import > CSV file. One identifier
  column, a first/last name column when the roster has names, and one grade column
  (`threads101`). At import, "Identify user by" maps the identifier column to the
  Moodle field it holds (id, ID number, username or email address), and the grade
  column is mapped to a grade item. Moodle stops the whole import at a row whose user
  it cannot find, so a student without that identifier is left out.

The LMS ids come from the roster (roster.csv, or `c.Threads101.roster`): besides `id`
(nbgrader's student id) and `first_name`/`last_name`, the columns `canvas_id`,
`sis_id`, `sis_login_id` and `section` (Canvas) and `moodle_id`, `moodle_idnumber`,
`moodle_username` or `email` (Moodle: the first of these the roster has is the
file's identifier). A graded student who has no id for a file is left out of it and
named in a message; nothing here raises for a missing or incomplete roster.

The totals are `export.student_totals`, the same as grades.json's.

Formats taken from: Canvas's importer, app/models/gradebook_importer.rb of
instructure/canvas-lms (the header must start with Student and ID and end its
student columns with Section; the "Points Possible" row; how students and
assignments are matched), and the Ohio State University's guide "Import a CSV file
to Carmen Grades" (teaching.resources.osu.edu: the name/ID/SIS User ID, SIS Login ID,
Section and assignment columns); Moodle's CSV grade import,
grade/import/csv/classes/load_data.php of moodle/moodle (the four user fields a
column can be mapped to, a blank or "-" grade meaning no grade, an unknown user
aborting the import).
"""

from __future__ import annotations

import csv
from pathlib import Path

from threads101 import course as C

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: roster column -> Canvas column, for the ids Canvas can find a student by
CANVAS_IDS = {"canvas_id": "ID", "sis_id": "SIS User ID", "sis_login_id": "SIS Login ID"}
#: roster column -> (Moodle CSV column, the Moodle user field to map it to at import),
#: in order of preference
MOODLE_IDS = {
    "moodle_id": ("id", "id"),
    "moodle_idnumber": ("ID number", "idnumber"),
    "moodle_username": ("Username", "username"),
    "email": ("Email address", "email address"),
}


def _root(course) -> Path:
    """A course directory given as a path, or as a `course.Course` (a Path's own `root`
    attribute is its anchor, "/", hence the check)."""
    return Path(course) if isinstance(course, (str, Path)) else Path(course.root)


def roster_file(course) -> Path:
    """The roster of a course directory (a path) or of a `course.Course` (its setting)."""
    if isinstance(course, (str, Path)):
        return Path(course) / "roster.csv"
    return Path(course.root) / getattr(getattr(course, "settings", None), "roster", "roster.csv")


def read_roster(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """student id -> that student's roster row (values stripped), and the roster's columns.
    No file: nothing."""
    if not Path(path).is_file():
        return {}, []
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = [c.strip() for c in reader.fieldnames or []]
        rows = {}
        for row in reader:
            clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()
                     if isinstance(v, str)}
            if clean.get("id"):
                rows[clean["id"]] = clean
    return rows, columns


def points(value: float) -> str:
    """A score as the gradebooks read it: "12", "12.5", "0.33"."""
    return f"{round(float(value), 2):g}"


def _sortable_name(entry: dict[str, str], student: str) -> str:
    first, last = entry.get("first_name", ""), entry.get("last_name", "")
    if first and last:
        return f"{last}, {first}"
    return last or first or student


def _left_out(file: str, students: list[str], why: str) -> str:
    return (f"{file}: {len(students)} student(s) left out, {why} in the roster: "
            f"{', '.join(students)}")


def write_canvas(dest: Path, rows: list[dict], roster: dict[str, dict[str, str]]) -> list[str]:
    """exports/canvas.csv; returns the messages about students left out."""
    maximum = max((row["max_score"] for row in rows), default=0)
    missing = []
    with Path(dest).open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(CANVAS_COLUMNS + [C.ASSIGNMENT])
        out.writerow(["Points Possible", "", "", "", "", points(maximum)])
        for row in rows:
            entry = roster.get(row["student_id"], {})
            if not any(entry.get(col) for col in CANVAS_IDS):
                missing.append(row["student_id"])
                continue
            out.writerow([_sortable_name(entry, row["student_id"]), entry.get("canvas_id", ""),
                          entry.get("sis_id", ""), entry.get("sis_login_id", ""),
                          entry.get("section", ""), points(row["score"])])
    if missing:
        return [_left_out(Path(dest).name, missing, "no canvas_id, sis_id or sis_login_id")]
    return []


def write_moodle(dest: Path, rows: list[dict], roster: dict[str, dict[str, str]],
                 columns: list[str]) -> list[str]:
    """exports/moodle.csv; returns the messages about students left out."""
    key = next((col for col in MOODLE_IDS if col in columns), "email")
    id_column, field = MOODLE_IDS[key]
    names = [col for col in ("first_name", "last_name") if col in columns]
    header = [id_column] + [{"first_name": "First name", "last_name": "Last name"}[n] for n in names]
    missing = []
    with Path(dest).open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header + [C.ASSIGNMENT])
        for row in rows:
            entry = roster.get(row["student_id"], {})
            if not entry.get(key):
                missing.append(row["student_id"])
                continue
            out.writerow([entry[key]] + [entry.get(n, "") for n in names] + [points(row["score"])])
    messages = []
    if missing:
        messages.append(_left_out(Path(dest).name, missing, f"no {key}")
                        + f" (Moodle identifies users here by {field}: map '{id_column}' to it)")
    return messages


def write_lms_exports(course, rows: list[dict], folder: Path | None = None) -> list[str]:
    """Write canvas.csv and moodle.csv from the per-student totals `rows`
    (`export.student_totals`) into `folder` (default: the course's exports/); returns
    messages for the instructor, one per file that had to leave students out."""
    folder = Path(folder) if folder else _root(course) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = roster_file(course)
    roster, columns = read_roster(path)
    messages = []
    if not path.is_file():
        messages.append(f"no roster at {path}: the LMS files list no student (add a roster.csv "
                        f"with the LMS ids, see the README)")
    elif "id" not in columns:
        messages.append(f"{path} has no column 'id' (nbgrader's student ids): the LMS files "
                        f"list no student")
    messages += write_canvas(folder / "canvas.csv", rows, roster)
    messages += write_moodle(folder / "moodle.csv", rows, roster, columns)
    pending = [row["student_id"] for row in rows
               if any(cell["score"] is None for nb in row["notebooks"].values()
                      for cell in nb["cells"].values())]
    if pending:
        messages.append(f"{len(pending)} student(s) have written answers not graded yet, counted "
                        f"as 0 in the LMS files: {', '.join(pending)}")
    return messages
