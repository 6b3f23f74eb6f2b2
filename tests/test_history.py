"""Git-native history: real repos in tmp_path with fixed commit dates."""
import datetime as dt
import json
import subprocess

import pytest

from helpers import PLAN_YML, approval, commit_all, git, make_client, write
from site_builder.build import BuildOptions, build, validate
from site_builder.errors import PlanError
from site_builder.history import read_history

D = dt.date.fromisoformat


def status(tmp_path, today="2026-04-01", slug="acme", **options):
    build(BuildOptions(plans=tmp_path / "plans", out=tmp_path / "site", today=D(today), jobs=1,
                       **options))
    return json.loads((tmp_path / "site" / slug / "status.json").read_text())


def milestone(doc, mid, project=0):
    return next(m for m in doc["projects"][project]["milestones"] if m["id"] == mid)


def set_due(plans, mid, due, project="web", slug="acme"):
    path = plans / slug / project / "plan.yml"
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {mid}")
    for i in range(start + 1, len(lines)):
        if lines[i].strip().startswith("due:"):
            lines[i] = lines[i].split("due:")[0] + f"due: {due}\n"
            break
    path.write_text("".join(lines))


def test_slipped_twice_baseline_variance_and_changes(plans, tmp_path):
    make_client(plans)
    first = commit_all(tmp_path, "Initial plan", "2026-01-01")
    set_due(plans, "design", "2026-02-20")
    second = commit_all(tmp_path, "Design moved: client holidays", "2026-01-15")
    set_due(plans, "design", "2026-03-01")
    third = commit_all(tmp_path, "Design moved again", "2026-02-01")
    write(plans / "acme" / "web" / "approvals" / "d.md", approval("design", "2026-03-04"))
    commit_all(tmp_path, "Design approved", "2026-03-04")

    doc = status(tmp_path)
    design = milestone(doc, "design")
    assert (design["due"], design["baseline_due"]) == ("2026-03-01", "2026-02-10")
    assert design["variance_days"] == 22  # 4 March against the baseline of 10 February
    assert doc["projects"][0]["schedule_changes"] == [
        {"milestone": "design", "from": "2026-02-10", "to": "2026-02-20", "date": "2026-01-15",
         "commit": second, "author": "Pat Planner"},
        {"milestone": "design", "from": "2026-02-20", "to": "2026-03-01", "date": "2026-02-01",
         "commit": third, "author": "Pat Planner"},
    ]
    assert first != second
    # slipped: approved after its baseline; kickoff never approved and overdue -> 2 of 2
    assert doc["projects"][0]["metrics"]["slippage_rate"] == 1.0
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "planned for Feb 10, 2026, moved to Feb 20, 2026 on Jan 15, 2026" in page
    assert f"<code>{third}</code>" in page


def test_milestone_added_late_has_its_first_appearance_as_baseline(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Initial plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(plan.read_text() + "  - id: training\n    title: Training\n"
                                       "    due: 2026-03-20\n")
    commit_all(tmp_path, "Add training", "2026-02-15")
    set_due(plans, "training", "2026-03-27", )
    commit_all(tmp_path, "Training later", "2026-02-20")
    doc = status(tmp_path)
    assert milestone(doc, "training")["baseline_due"] == "2026-03-20"
    assert [c["milestone"] for c in doc["projects"][0]["schedule_changes"]] == ["training"]


def test_renamed_id_is_a_new_milestone(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Initial plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(plan.read_text().replace("id: launch", "id: go-live").replace(
        "due: 2026-03-10", "due: 2026-03-17"))
    commit_all(tmp_path, "Rename", "2026-01-05")
    doc = status(tmp_path)
    assert milestone(doc, "go-live")["baseline_due"] == "2026-03-17"
    assert doc["projects"][0]["schedule_changes"] == []


def test_scope_change_after_approval_is_listed_and_warned(plans, tmp_path):
    make_client(plans, approvals={"web": {"d.md": approval("design", "2026-02-06")}})
    commit_all(tmp_path, "Plan and approval", "2026-02-06")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(plan.read_text().replace("      - Mockups", "      - Mockups\n"
                                                                "      - Style guide"))
    edit = commit_all(tmp_path, "Add style guide to design", "2026-02-10")
    doc = status(tmp_path)
    assert doc["projects"][0]["scope_changes"] == [
        {"milestone": "design", "date": "2026-02-10", "commit": edit, "fields": ["deliverables"]}]
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "deliverables changed on Feb 10, 2026, after approval on Feb 6, 2026" in page
    checked = validate(plans, today=D("2026-04-01"))
    (warning,) = [d.format() for d in checked.diagnostics.warnings]
    assert warning == (
        f"plans/acme/web/plan.yml:10: warning: milestone `design` was approved on 2026-02-06, "
        f"but commit {edit} (2026-02-10) changed its deliverables after sign-off: record it "
        f"as a change order")
    with pytest.raises(PlanError):
        validate(plans, strict=True, today=D("2026-04-01"))


def test_edits_before_approval_are_not_scope_changes(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(plan.read_text().replace("Design approved", "Design signed off"))
    commit_all(tmp_path, "Retitle", "2026-02-01")
    write(plans / "acme" / "web" / "approvals" / "d.md", approval("design", "2026-02-06"))
    commit_all(tmp_path, "Approval", "2026-02-06")
    assert status(tmp_path)["projects"][0]["scope_changes"] == []


def test_provenance_and_last_updated(plans, tmp_path):
    make_client(plans)
    make_client(plans, slug="other")
    commit_all(tmp_path, "Plans", "2026-01-01")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-09"))
    sha = commit_all(tmp_path, "Record kickoff approval", "2026-01-12")
    write(plans / "other" / "web" / "plan.yml", PLAN_YML.replace("Site live", "Live!"))
    commit_all(tmp_path, "Other client only", "2026-01-20")
    doc = status(tmp_path)
    (note,) = doc["projects"][0]["approvals"]
    assert note["recorded"] == {"by": "Pat Planner", "date": "2026-01-12", "commit": sha}
    index = (tmp_path / "site" / "acme" / "index.html").read_text()
    assert "Last updated Jan 12, 2026" in index  # the acme folder, not the later commit
    sitemap = (tmp_path / "site" / "acme" / "sitemap.xml").read_text()
    assert "2026-01-20" not in sitemap


def test_moved_plan_keeps_its_history(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    git(tmp_path, "mv", "plans/acme/web", "plans/acme/website")
    set_due(plans, "launch", "2026-03-31", project="website")
    commit_all(tmp_path, "Rename project and move launch", "2026-01-10")
    doc = status(tmp_path)
    assert milestone(doc, "launch")["baseline_due"] == "2026-03-10"
    assert doc["projects"][0]["schedule_changes"][0]["to"] == "2026-03-31"


def test_uncommitted_edits_are_current_state_but_not_history(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    set_due(plans, "launch", "2026-04-30")  # not committed
    doc = status(tmp_path)
    launch = milestone(doc, "launch")
    assert (launch["due"], launch["baseline_due"]) == ("2026-04-30", "2026-03-10")
    assert doc["projects"][0]["schedule_changes"] == []


def test_plans_outside_git_fall_back_to_current_values(plans, tmp_path):
    make_client(plans)
    doc = status(tmp_path)
    assert milestone(doc, "design")["baseline_due"] == "2026-02-10"
    assert read_history(plans).commits == 0


def test_broken_old_revision_is_skipped_with_one_warning(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    good = plan.read_text()
    plan.write_text("title: [oops\n")
    broken = commit_all(tmp_path, "Broken", "2026-01-02")
    plan.write_text(good.replace("due: 2026-03-10", "due: 2026-03-12"))
    commit_all(tmp_path, "Fixed, launch moved", "2026-01-03")
    checked = validate(plans, today=D("2026-04-01"))
    (warning,) = [d.format() for d in checked.diagnostics.warnings]
    assert warning.startswith("plans/acme/web/plan.yml:0: warning: 1 old revision(s) could not "
                              f"be read ({broken})")
    changes = status(tmp_path)["projects"][0]["schedule_changes"]
    assert [(c["from"], c["to"]) for c in changes] == [("2026-03-10", "2026-03-12")]


def test_shallow_clone_is_reported_once(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    set_due(plans, "launch", "2026-03-12")
    commit_all(tmp_path, "Move", "2026-01-02")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{tmp_path}", str(clone)],
                   check=True)
    checked = validate(clone / "plans", today=D("2026-04-01"))
    (warning,) = [d.format() for d in checked.diagnostics.warnings]
    assert "the git history is shallow" in warning and "fetch-depth: 0" in warning


def test_history_is_read_in_one_pass(plans, tmp_path, monkeypatch):
    for slug in ("a", "b", "c"):
        make_client(plans, slug=slug, approvals={"web": {"n.md": approval("kickoff",
                                                                          "2026-01-09")}})
    commit_all(tmp_path, "Plans", "2026-01-01")
    for i, slug in enumerate(("a", "b", "c")):
        set_due(plans, "launch", f"2026-03-2{i}", slug=slug)
        commit_all(tmp_path, f"Move {slug}", f"2026-01-0{i + 2}")
    import git

    calls = []
    real_execute, real_popen = git.cmd.Git.execute, subprocess.Popen

    def spy_execute(self, command, *args, **kwargs):
        calls.append(command[1])
        return real_execute(self, command, *args, **kwargs)

    def spy_popen(command, *args, **kwargs):
        if command[:1] == ["git"] or str(command[0]).endswith("git"):
            calls.append(command[1])
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(git.cmd.Git, "execute", spy_execute)
    monkeypatch.setattr(subprocess, "Popen", spy_popen)
    history = read_history(plans)
    assert history.commits == 4
    # One log for the whole tree and one streaming cat-file --batch for every plan blob
    # (plus GitPython's persistent --batch-check and a rev-parse): nothing per file.
    assert sorted(calls) == ["cat-file", "cat-file", "log", "rev-parse"], calls
    assert {k: len(v) for k, v in history.milestones.items()} == {"a": 3, "b": 3, "c": 3}


def test_changed_since_builds_only_changed_clients(plans, tmp_path):
    make_client(plans, slug="alpha")
    make_client(plans, slug="beta")
    base = commit_all(tmp_path, "Plans", "2026-01-01")
    set_due(plans, "launch", "2026-03-20", slug="beta")
    commit_all(tmp_path, "Beta moved", "2026-01-05")
    report = build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-01"),
                                jobs=1, changed_since=base))
    assert [s.slug for s in report.sites] == ["beta"]
    write(plans / "alpha" / "web" / "approvals" / "n.md", approval("kickoff", "2026-01-09"))
    report = build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-01"),
                                jobs=1, changed_since="HEAD"))  # uncommitted files count
    assert [s.slug for s in report.sites] == ["alpha"]
    nothing = build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-01"),
                                 jobs=1, changed_since="HEAD~0", clients=("beta",)))
    assert nothing.sites == []


def test_changed_since_theme_change_rebuilds_everyone(plans, tmp_path):
    make_client(plans, slug="alpha")
    make_client(plans, slug="beta")
    write(tmp_path / "mkdocs.yml", (__import__("site_builder.build", fromlist=["x"])
                                    .REPO_ROOT / "mkdocs.yml").read_text())
    base = commit_all(tmp_path, "Plans", "2026-01-01")
    (tmp_path / "mkdocs.yml").write_text((tmp_path / "mkdocs.yml").read_text().replace(
        "Northstar Delivery Co.", "Another Agency"))
    import shutil

    shutil.copytree(__import__("site_builder.build", fromlist=["x"]).REPO_ROOT / "theme",
                    tmp_path / "theme")
    report = build(BuildOptions(plans=plans, out=tmp_path / "site", today=D("2026-02-01"),
                                jobs=1, changed_since=base))
    assert [s.slug for s in report.sites] == ["alpha", "beta"]
    assert "Another Agency" in (tmp_path / "site" / "alpha" / "index.html").read_text()
