"""Git-native history: real repos in tmp_path with fixed commit dates."""

import datetime as dt
import json
import os
import subprocess

import pytest
from helpers import PLAN_YML, approval, commit_all, git, make_client, write

from site_builder.build import BuildOptions, build, validate
from site_builder.errors import PlanError
from site_builder.plans.history import read_history

D = dt.date.fromisoformat


def status(tmp_path, today="2026-04-01", slug="acme", **options):
    build(
        BuildOptions(
            plans=tmp_path / "plans", out=tmp_path / "site", today=D(today), jobs=1, **options
        )
    )
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
        {
            "milestone": "design",
            "from": "2026-02-10",
            "to": "2026-02-20",
            "date": "2026-01-15",
            "commit": second,
            "author": "Pat Planner",
        },
        {
            "milestone": "design",
            "from": "2026-02-20",
            "to": "2026-03-01",
            "date": "2026-02-01",
            "commit": third,
            "author": "Pat Planner",
        },
    ]
    assert first != second
    # slipped: approved after its baseline; kickoff never approved and overdue -> 2 of 2
    assert doc["projects"][0]["metrics"]["slippage_rate"] == 1.0
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "planned for Feb 10, 2026, moved to Feb 20, 2026 on Jan 15, 2026" in page
    # Commit ids are for the team (status.json, the dashboard), not the client's page.
    assert third not in page


def test_milestone_added_late_has_its_first_appearance_as_baseline(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Initial plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(
        plan.read_text() + "  - id: training\n    title: Training\n    due: 2026-03-20\n"
    )
    commit_all(tmp_path, "Add training", "2026-02-15")
    set_due(
        plans,
        "training",
        "2026-03-27",
    )
    commit_all(tmp_path, "Training later", "2026-02-20")
    doc = status(tmp_path)
    assert milestone(doc, "training")["baseline_due"] == "2026-03-20"
    assert [c["milestone"] for c in doc["projects"][0]["schedule_changes"]] == ["training"]


def test_renamed_id_is_a_new_milestone(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Initial plan", "2026-01-01")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(
        plan.read_text()
        .replace("id: launch", "id: go-live")
        .replace("due: 2026-03-10", "due: 2026-03-17")
    )
    commit_all(tmp_path, "Rename", "2026-01-05")
    doc = status(tmp_path)
    assert milestone(doc, "go-live")["baseline_due"] == "2026-03-17"
    assert doc["projects"][0]["schedule_changes"] == []


def test_scope_change_after_approval_is_listed_and_warned(plans, tmp_path):
    make_client(plans, approvals={"web": {"d.md": approval("design", "2026-02-06")}})
    commit_all(tmp_path, "Plan and approval", "2026-02-06")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(
        plan.read_text().replace("      - Mockups", "      - Mockups\n      - Style guide")
    )
    edit = commit_all(tmp_path, "Add style guide to design", "2026-02-10")
    doc = status(tmp_path)
    assert doc["projects"][0]["scope_changes"] == [
        {"milestone": "design", "date": "2026-02-10", "commit": edit, "fields": ["deliverables"]}
    ]
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "deliverables changed on Feb 10, 2026, after approval on Feb 6, 2026" in page
    checked = validate(plans, today=D("2026-04-01"))
    (warning,) = [d.format() for d in checked.diagnostics.warnings]
    assert warning == (
        f"plans/acme/web/plan.yml:10: warning: milestone `design` was approved on 2026-02-06, "
        f"but commit {edit} (2026-02-10) changed its deliverables after sign-off: record it "
        f"as a change order"
    )
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
    assert warning.startswith(
        f"plans/acme/web/plan.yml:0: warning: 1 old revision(s) could not be read ({broken})"
    )
    changes = status(tmp_path)["projects"][0]["schedule_changes"]
    assert [(c["from"], c["to"]) for c in changes] == [("2026-03-10", "2026-03-12")]


def test_shallow_clone_is_reported_once(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plan", "2026-01-01")
    set_due(plans, "launch", "2026-03-12")
    commit_all(tmp_path, "Move", "2026-01-02")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{tmp_path}", str(clone)], check=True
    )
    checked = validate(clone / "plans", today=D("2026-04-01"))
    (warning,) = [d.format() for d in checked.diagnostics.warnings]
    assert "the git history is shallow" in warning and "fetch-depth: 0" in warning


def test_history_is_read_in_one_pass(plans, tmp_path, monkeypatch):
    for slug in ("a", "b", "c"):
        make_client(
            plans, slug=slug, approvals={"web": {"n.md": approval("kickoff", "2026-01-09")}}
        )
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
    report = build(
        BuildOptions(
            plans=plans, out=tmp_path / "site", today=D("2026-02-01"), jobs=1, changed_since=base
        )
    )
    assert [s.slug for s in report.sites] == ["beta"]
    write(plans / "alpha" / "web" / "approvals" / "n.md", approval("kickoff", "2026-01-09"))
    report = build(
        BuildOptions(
            plans=plans, out=tmp_path / "site", today=D("2026-02-01"), jobs=1, changed_since="HEAD"
        )
    )  # uncommitted files count
    assert [s.slug for s in report.sites] == ["alpha"]
    nothing = build(
        BuildOptions(
            plans=plans,
            out=tmp_path / "site",
            today=D("2026-02-01"),
            jobs=1,
            changed_since="HEAD~0",
            clients=("beta",),
        )
    )
    assert nothing.sites == []


def test_changed_since_theme_change_rebuilds_everyone(plans, tmp_path):
    make_client(plans, slug="alpha")
    make_client(plans, slug="beta")
    write(
        tmp_path / "mkdocs.yml",
        (__import__("site_builder.build", fromlist=["x"]).REPO_ROOT / "mkdocs.yml").read_text(),
    )
    base = commit_all(tmp_path, "Plans", "2026-01-01")
    (tmp_path / "mkdocs.yml").write_text(
        (tmp_path / "mkdocs.yml").read_text() + "copyright: Another Agency\n"
    )
    import shutil

    shutil.copytree(
        __import__("site_builder.build", fromlist=["x"]).REPO_ROOT / "theme", tmp_path / "theme"
    )
    report = build(
        BuildOptions(
            plans=plans, out=tmp_path / "site", today=D("2026-02-01"), jobs=1, changed_since=base
        )
    )
    assert [s.slug for s in report.sites] == ["alpha", "beta"]
    assert "Another Agency" in (tmp_path / "site" / "alpha" / "index.html").read_text()


# --- merges: the history as it happened ---------------------------------------------------------


def commit_as(repo, message, date, author):
    """Commit everything as `author` (name) on `date`; returns the short sha."""
    env = {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author}
    git(repo, "add", "-A")
    git_env(repo, env, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "--short", "HEAD").strip()


def git_env(repo, env, *args, date=None, check=True):
    import os

    full = {
        **os.environ,
        "GIT_AUTHOR_EMAIL": "x@agency.example",
        "GIT_COMMITTER_EMAIL": "x@agency.example",
        "GIT_AUTHOR_NAME": "Pat Planner",
        "GIT_COMMITTER_NAME": "Pat Planner",
        **env,
    }
    if date:
        full["GIT_AUTHOR_DATE"] = full["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    return subprocess.run(
        ["git", *args], cwd=repo, env=full, capture_output=True, text=True, check=check
    )


def merge(repo, date, *branches, author="Mo Merger", check=True):
    return git_env(
        repo,
        {"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author},
        "merge",
        "-q",
        "--no-ff",
        "-m",
        f"Merge {' '.join(branches)}",
        *branches,
        date=date,
        check=check,
    )


def change(doc, project=0):
    return [
        (c["milestone"], c["from"], c["to"], c["date"], c["commit"], c["author"])
        for c in doc["projects"][project]["schedule_changes"]
    ]


def set_owner(plans, owner):
    path = plans / "acme" / "web" / "plan.yml"
    path.write_text(path.read_text().replace("owner: Sam Lee", f"owner: {owner}"))


def test_a_branch_merge_credits_the_branch_commit_and_nothing_else(plans, tmp_path):
    make_client(plans)
    make_client(plans, slug="other")
    commit_all(tmp_path, "Plans", "2026-01-01")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    set_due(plans, "launch", "2026-03-20")
    moved = commit_as(tmp_path, "Launch later", "2026-01-05", "Bea Branch")
    git(tmp_path, "checkout", "-q", "main")
    set_owner(plans, "Kim Main")  # main edits the same plan.yml: another milestone
    set_due(plans, "design", "2026-02-12")
    mains = commit_as(tmp_path, "Design later, new owner", "2026-01-07", "Max Main")
    write(tmp_path / "README.md", "outside the plans\n")
    commit_as(tmp_path, "Readme", "2026-01-08", "Max Main")
    set_due(plans, "design", "2026-02-12", slug="other")  # and another client's plan
    other = commit_as(tmp_path, "Other client", "2026-01-09", "Max Main")
    merge(tmp_path, "2026-01-10", "feature")
    doc = status(tmp_path)
    assert sorted(change(doc)) == [
        ("design", "2026-02-10", "2026-02-12", "2026-01-07", mains, "Max Main"),
        ("launch", "2026-03-10", "2026-03-20", "2026-01-05", moved, "Bea Branch"),
    ]
    assert doc["projects"][0]["scope_changes"] == []
    assert {m["id"]: m["baseline_due"] for m in doc["projects"][0]["milestones"]} == {
        "kickoff": "2026-01-10",
        "design": "2026-02-10",
        "launch": "2026-03-10",
    }
    assert change(status(tmp_path, slug="other")) == [
        ("design", "2026-02-10", "2026-02-12", "2026-01-09", other, "Max Main")
    ]
    page = (tmp_path / "site" / "acme" / "projects" / "web.html").read_text()
    assert "moved to Mar 20, 2026 on Jan 5, 2026" in page
    index = (tmp_path / "site" / "acme" / "index.html").read_text()
    assert "Last updated Jan 10, 2026" in index  # the merge brought the change to main


def test_an_octopus_merge_credits_each_branch(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plans", "2026-01-01")
    made = {}
    for n, (branch, mid, due) in enumerate(
        (
            ("b1", "kickoff", "2026-01-12"),
            ("b2", "design", "2026-02-14"),
            ("b3", "launch", "2026-03-16"),
        )
    ):
        git(tmp_path, "checkout", "-q", "-b", branch, "main")
        set_due(plans, mid, due)
        made[mid] = commit_as(tmp_path, f"Move {mid}", f"2026-01-0{n + 2}", f"Dev {branch}")
    git(tmp_path, "checkout", "-q", "main")
    assert merge(tmp_path, "2026-01-09", "b1", "b2", "b3").returncode == 0
    assert len(git(tmp_path, "log", "-1", "--format=%P").split()) == 4  # an octopus
    assert change(status(tmp_path)) == [
        ("kickoff", "2026-01-10", "2026-01-12", "2026-01-02", made["kickoff"], "Dev b1"),
        ("design", "2026-02-10", "2026-02-14", "2026-01-03", made["design"], "Dev b2"),
        ("launch", "2026-03-10", "2026-03-16", "2026-01-04", made["launch"], "Dev b3"),
    ]


def test_a_revert_is_a_second_change(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plans", "2026-01-01")
    set_due(plans, "design", "2026-02-20")
    moved = commit_as(tmp_path, "Design later", "2026-01-05", "Bea Branch")
    git_env(
        tmp_path,
        {"GIT_AUTHOR_NAME": "Rae Revert", "GIT_COMMITTER_NAME": "Rae Revert"},
        "revert",
        "--no-edit",
        "HEAD",
        date="2026-01-06",
    )
    reverted = git(tmp_path, "rev-parse", "--short", "HEAD").strip()
    doc = status(tmp_path)
    assert change(doc) == [
        ("design", "2026-02-10", "2026-02-20", "2026-01-05", moved, "Bea Branch"),
        ("design", "2026-02-20", "2026-02-10", "2026-01-06", reverted, "Rae Revert"),
    ]
    assert milestone(doc, "design")["baseline_due"] == "2026-02-10"


@pytest.mark.parametrize("resolved", ["2026-03-25", "2026-03-15", "2026-03-20"])
def test_a_conflict_resolution_is_read_from_main_s_point_of_view(plans, tmp_path, resolved):
    """Both sides moved launch; the merge settles it. main's story stays as it was; a date
    that main did not have is a change made by the merge (the branch's value never stood on
    main on its own)."""
    make_client(plans)
    commit_all(tmp_path, "Plans", "2026-01-01")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    set_due(plans, "launch", "2026-03-20")
    commit_as(tmp_path, "Branch: launch later", "2026-01-06", "Bea Branch")
    git(tmp_path, "checkout", "-q", "main")
    set_due(plans, "launch", "2026-03-15")
    ours = commit_as(tmp_path, "Main: launch later", "2026-01-05", "Max Main")
    assert merge(tmp_path, "2026-01-07", "feature", check=False).returncode != 0  # a conflict
    (plans / "acme" / "web" / "plan.yml").write_text(PLAN_YML)
    set_due(plans, "launch", resolved)
    merged = commit_as(tmp_path, "Merge feature", "2026-01-07", "Mo Merger")
    expected = [("launch", "2026-03-10", "2026-03-15", "2026-01-05", ours, "Max Main")]
    if resolved != "2026-03-15":
        expected.append(("launch", "2026-03-15", resolved, "2026-01-07", merged, "Mo Merger"))
    doc = status(tmp_path)
    assert change(doc) == expected
    assert milestone(doc, "launch")["baseline_due"] == "2026-03-10"


def test_a_milestone_and_a_note_added_on_a_branch_keep_their_first_commit(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plans", "2026-01-01")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    plan = plans / "acme" / "web" / "plan.yml"
    plan.write_text(
        plan.read_text() + "  - id: training\n    title: Training\n    due: 2026-03-20\n"
    )
    commit_as(tmp_path, "Add training", "2026-01-03", "Bea Branch")
    write(plans / "acme" / "web" / "approvals" / "k.md", approval("kickoff", "2026-01-04"))
    noted = commit_as(tmp_path, "Kickoff approved", "2026-01-04", "Bea Branch")
    set_due(plans, "training", "2026-03-27")
    later = commit_as(tmp_path, "Training later", "2026-01-05", "Bea Branch")
    git(tmp_path, "checkout", "-q", "main")
    set_owner(plans, "Kim Main")
    commit_as(tmp_path, "Owner", "2026-01-06", "Max Main")
    merge(tmp_path, "2026-01-08", "feature")
    set_due(plans, "training", "2026-04-03")
    last = commit_as(tmp_path, "Training even later", "2026-01-09", "Max Main")
    doc = status(tmp_path)
    assert milestone(doc, "training")["baseline_due"] == "2026-03-20"
    assert change(doc) == [
        ("training", "2026-03-20", "2026-03-27", "2026-01-05", later, "Bea Branch"),
        ("training", "2026-03-27", "2026-04-03", "2026-01-09", last, "Max Main"),
    ]
    (note,) = doc["projects"][0]["approvals"]
    assert note["recorded"] == {"by": "Bea Branch", "date": "2026-01-04", "commit": noted}


def test_main_merged_into_a_branch_then_back_keeps_both_moves(plans, tmp_path):
    make_client(plans)
    commit_all(tmp_path, "Plans", "2026-01-01")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    set_owner(plans, "Bea")
    commit_as(tmp_path, "Owner", "2026-01-02", "Bea Branch")
    git(tmp_path, "checkout", "-q", "main")
    set_due(plans, "launch", "2026-03-15")
    first = commit_as(tmp_path, "Launch later", "2026-01-03", "Max Main")
    git(tmp_path, "checkout", "-q", "feature")
    merge(tmp_path, "2026-01-04", "main", author="Bea Branch")
    set_due(plans, "launch", "2026-03-20")
    second = commit_as(tmp_path, "Launch later still", "2026-01-05", "Bea Branch")
    git(tmp_path, "checkout", "-q", "main")
    merge(tmp_path, "2026-01-06", "feature")
    assert change(status(tmp_path)) == [
        ("launch", "2026-03-10", "2026-03-15", "2026-01-03", first, "Max Main"),
        ("launch", "2026-03-15", "2026-03-20", "2026-01-05", second, "Bea Branch"),
    ]


def test_a_commit_dated_far_in_the_future_still_builds(plans, tmp_path):
    """git accepts any commit date; a build clamps it to the dates the tool accepts."""

    make_client(plans)
    repo = plans.parent
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Pat",
        "GIT_AUTHOR_EMAIL": "pat@agency.example",
        "GIT_COMMITTER_NAME": "Pat",
        "GIT_COMMITTER_EMAIL": "pat@agency.example",
        "GIT_AUTHOR_DATE": "@99999999999 +0000",
        "GIT_COMMITTER_DATE": "@99999999999 +0000",
    }
    subprocess.run(["git", "commit", "-q", "-m", "future"], cwd=repo, env=env, check=True)
    out = tmp_path / "site"
    build(BuildOptions(plans=plans, out=out, today=dt.date(2026, 3, 1), jobs=1))
    assert (out / "acme" / "index.html").is_file()
    assert (out / "acme" / "sitemap.xml.gz").is_file()
