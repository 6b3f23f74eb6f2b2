"""Loading and validating plans: every rule, reported as PATH:LINE: error: MESSAGE."""

import os
from pathlib import Path

import pytest
from helpers import CLIENT_YML, PLAN_YML, approval, make_client, write

from site_builder.errors import UsageError
from site_builder.plans.load import load_plans


def problems(plans: Path) -> list[str]:
    _, diags = load_plans(plans)
    return [d.format() for d in diags.items]


def errors(plans: Path) -> list[str]:
    return [p for p in problems(plans) if ": error: " in p]


def test_valid_plans_load_into_the_model(plans):
    make_client(plans, approvals={"web": {"a.md": approval("kickoff", "2026-01-09")}})
    loaded, diags = load_plans(plans)
    assert diags.items == []
    (client,) = loaded.clients
    assert client.name == "Acme Widgets" and client.slug == "acme"
    (project,) = client.projects
    assert [m.id for m in project.milestones] == ["kickoff", "design", "launch"]
    assert project.milestones[1].depends_on == ("kickoff",)
    assert project.milestones[1].source.line == 10
    (note,) = project.approvals
    assert (note.milestone, note.by_name, note.signature) == ("kickoff", "Ada Client", "unsigned")
    assert note.body == "Looks good.\n"


def test_missing_required_fields_name_file_and_line(plans):
    make_client(plans, projects={"web": "title: X\nmilestones:\n  - id: a\n    title: A\n"})
    assert errors(plans) == [
        "plans/acme/web/plan.yml:3: error: missing required field `milestones[1].due`, "
        "e.g. `due: 2026-02-06`"
    ]


def test_unknown_key_gets_a_did_you_mean_hint(plans):
    plan = PLAN_YML.replace("    deliverables:", "    deliverabels:")
    make_client(plans, projects={"web": plan})
    (problem,) = errors(plans)
    assert problem == (
        "plans/acme/web/plan.yml:15: error: unknown field "
        "`milestones[2].deliverabels` (did you mean `deliverables`?)"
    )


def test_bad_dates_are_reported(plans):
    plan = PLAN_YML.replace("due: 2026-01-10", "due: 2026-02-30").replace(
        "due: 2026-03-10", "due: 10/03/2026"
    )
    make_client(plans, projects={"web": plan})
    assert errors(plans) == [
        "plans/acme/web/plan.yml:7: error: `milestones[1].due`: 2026-02-30 is not a real date",
        "plans/acme/web/plan.yml:22: error: `milestones[3].due` must be a date written "
        "YYYY-MM-DD, not `10/03/2026`",
    ]


def test_duplicate_ids_and_bad_slugs(plans):
    plan = PLAN_YML.replace("id: design", "id: kickoff").replace("id: launch", "id: Go_Live")
    make_client(plans, projects={"web": plan})
    found = errors(plans)
    assert (
        "plans/acme/web/plan.yml:10: error: milestone id `kickoff` is used twice (first on "
        "line 4); ids must be unique" in found
    )
    assert any(
        p.startswith("plans/acme/web/plan.yml:20: error: `milestones[3].id` must be a slug")
        for p in found
    )


def test_depends_on_only_earlier_milestones(plans):
    plan = PLAN_YML.replace("depends_on: [kickoff]", "depends_on: [launch, kikoff]")
    make_client(plans, projects={"web": plan})
    assert errors(plans) == [
        "plans/acme/web/plan.yml:14: error: `depends_on`: milestone `kikoff` not found (did you "
        "mean `kickoff`?); earlier milestones: kickoff",
        "plans/acme/web/plan.yml:14: error: `depends_on`: milestone `launch` comes later in the "
        "plan; a milestone may only depend on earlier ones",
    ]


def test_approval_naming_unknown_milestone_lists_the_ids(plans):
    note = approval("desgin", "2026-02-06")
    make_client(plans, approvals={"web": {"2026-02-06.md": note}})
    assert errors(plans) == [
        "plans/acme/web/approvals/2026-02-06.md:2: error: milestone `desgin` not found (did you "
        "mean `design`?); ids in this plan: kickoff, design, launch"
    ]


def test_approval_front_matter_lines_are_offset(plans):
    note = "---\nmilestone: design\ndecision: approvd\ndate: 2026-02-06\nby: Ada\n---\nok\n"
    make_client(plans, approvals={"web": {"n.md": note}})
    assert errors(plans) == [
        "plans/acme/web/approvals/n.md:3: error: `decision` must be one of approved, "
        "changes-requested, rejected, not `approvd` (did you mean `approved`?)",
        "plans/acme/web/approvals/n.md:5: error: `by` must be a name and an email, like "
        "`Ada Client <ada@example.com>`, not `Ada`",
    ]


def test_approval_without_front_matter(plans):
    make_client(plans, approvals={"web": {"n.md": "Approved by phone.\n"}})
    (problem,) = errors(plans)
    assert problem.startswith(
        "plans/acme/web/approvals/n.md:1: error: an approval note starts with YAML front matter"
    )


def test_invalid_yaml_is_reported_with_its_line_not_swallowed(plans):
    make_client(plans, projects={"web": "title: X\nmilestones:\n  - id: a\n   title: [\n"})
    (problem,) = errors(plans)
    assert problem.startswith("plans/acme/web/plan.yml:4: error: invalid YAML")


def test_yaml_alias_bomb_is_refused_quickly(plans):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    make_client(plans, projects={"web": "title: X\n" + bomb})
    (problem,) = errors(plans)
    assert "error: invalid YAML: aliases (*name) are not supported" in problem


def test_deeply_nested_yaml_is_refused(plans):
    make_client(plans, projects={"web": "title: X\ninternal: " + "[" * 5000 + "]" * 5000 + "\n"})
    (problem,) = errors(plans)
    assert "nested deeper than" in problem


def test_oversized_file_is_refused_without_parsing(plans):
    make_client(plans, projects={"web": "title: X\n#" + "x" * 1_100_000 + "\n"})
    (problem,) = errors(plans)
    assert problem.startswith("plans/acme/web/plan.yml:0: error: file is too large")


def test_layout_errors_are_not_silently_skipped(plans):
    make_client(plans)
    write(plans / "README.md", "notes\n")
    write(plans / "Bad_Client" / "client.yml", CLIENT_YML)
    write(plans / "acme" / "notes.txt", "x")
    write(plans / "acme" / "web" / "draft.yml", "x: 1\n")
    write(plans / "acme" / "web" / "approvals" / "x.txt", "x")
    write(plans / "acme" / "web" / "approvals" / "orphan.md.sig", "x")
    write(plans / "empty" / "web" / "plan.yml", PLAN_YML)
    assert errors(plans) == [
        "plans/Bad_Client:0: error: client folder name `Bad_Client` is not a slug (lower-case "
        "letters, digits and '-')",
        "plans/README.md:0: error: unexpected file in the plans folder; it holds only client "
        "folders (plans/<client>/client.yml)",
        "plans/acme/notes.txt:0: error: unexpected file in the client folder; it holds "
        "client.yml, project folders and the files client.yml refers to (site.logo, "
        "site.favicon, site.css)",
        "plans/acme/web/approvals/orphan.md.sig:0: error: signature without a note: orphan.md "
        "not found",
        "plans/acme/web/approvals/x.txt:0: error: unexpected entry in approvals/; it holds "
        "<name>.md notes and their optional <name>.md.sig signatures",
        "plans/acme/web/draft.yml:0: error: unexpected entry in the project folder; it holds "
        "plan.yml, approvals/ and documents/",
        "plans/empty/client.yml:0: error: missing client.yml: every client folder needs one "
        "(at least `name:`)",
    ]


def test_deliverable_files_must_exist_inside_documents(plans, tmp_path):
    plan = PLAN_YML.replace(
        "      - Mockups",
        "      - {title: Deck, file: documents/deck.pdf}\n"
        "      - {title: Up, file: ../../secret.txt}\n"
        "      - {title: Abs, file: /etc/passwd}\n"
        "      - {title: Gone, file: documents/gone.pdf}\n"
        "      - {title: Out, file: plan.yml}",
    )
    folder = make_client(plans, projects={"web": plan})
    write(folder / "web" / "documents" / "deck.pdf", "%PDF-1.4\n")
    found = errors(plans)
    assert len(found) == 4, found
    assert "`../../secret.txt`" in found[0] and "without `..`" in found[0]
    assert "`/etc/passwd`" in found[1]
    assert "documents/gone.pdf` not found" in found[2]
    assert "must be under documents/" in found[3]
    assert all(p.startswith("plans/acme/web/plan.yml:") for p in found)


def test_symlink_out_of_the_client_folder_is_an_error(plans, tmp_path):
    secret = write(tmp_path / "secret.txt", "top secret\n")
    folder = make_client(plans)
    (folder / "web" / "documents").mkdir()
    os.symlink(secret, folder / "web" / "documents" / "leak.txt")
    os.symlink(tmp_path, folder / "web" / "documents" / "dir")
    other = make_client(plans, slug="other")
    os.symlink(other / "client.yml", folder / "web" / "approvals")
    found = errors(plans)
    assert (
        "plans/acme/web/approvals:0: error: symbolic link points outside the client folder "
        "(acme/); copy the file in instead" in found
    )
    assert (
        "plans/acme/web/documents/leak.txt:0: error: symbolic link points outside the client "
        "folder (acme/); copy the file in instead" in found
    )
    assert (
        "plans/acme/web/documents/dir:0: error: symbolic link points outside the client "
        "folder (acme/); copy the file in instead" in found
    )


def test_more_than_ten_milestones_is_a_warning(plans):
    items = "".join(
        f"  - id: m{i}\n    title: M{i}\n    due: 2026-01-{i + 1:02d}\n" for i in range(11)
    )
    make_client(plans, projects={"web": f"title: Big\nmilestones:\n{items}"})
    assert problems(plans) == [
        "plans/acme/web/plan.yml:2: warning: 11 milestones in one project (more than 10): "
        "milestones are checkpoints, not tasks"
    ]


def test_client_settings_are_checked(plans):
    make_client(
        plans,
        client_yml="name: A\nlanguage: english\ntimezone: Mars/Olympus\n"
        "require_signed_approvals: maybe\nsite:\n  primary_color: "
        "indgo\n  url: ftp://x\n  logo: ../x.svg\n",
    )
    found = errors(plans)
    assert [p.split(": error: ")[0] for p in found] == [
        f"plans/acme/client.yml:{n}" for n in (2, 3, 4, 6, 7, 8)
    ]
    assert "did you mean `indigo`?" in found[3]


def test_signer_emails_cannot_be_patterns(plans):
    make_client(
        plans,
        client_yml="name: A\nsigners:\n  - name: Any\n    email: '*'\n"
        "    key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\n",
    )
    (problem,) = errors(plans)
    assert problem.startswith(
        "plans/acme/client.yml:4: error: `signers[1].email` must be a plain email address"
    )


def test_unknown_client_is_a_usage_error(plans):
    make_client(plans)
    with pytest.raises(UsageError, match="unknown client `acm` \\(did you mean `acme`\\?\\)"):
        load_plans(plans, ["acm"])


def test_all_problems_are_reported_at_once(plans):
    make_client(plans, slug="one", projects={"web": "title: X\n"})
    make_client(plans, slug="two", client_yml="nmae: Two\n")
    found = errors(plans)
    assert any(
        p.startswith("plans/one/web/plan.yml:1: error: missing required field `milestones`")
        for p in found
    )
    assert "plans/two/client.yml:1: error: unknown field `nmae` (did you mean `name`?)" in found
    assert (
        "plans/two/client.yml:1: error: missing required field `name`, e.g. `name: Fable "
        "Studio`" in found
    )


def test_both_readers_of_client_yml_refuse_an_unknown_time_zone(plans):
    """client_from_text (approve, verify, events) and the loader apply the same rule, so a
    Client's timezone is always a real zone and 'today' is computed one way."""
    from site_builder.errors import Diagnostics
    from site_builder.plans.clients import client_from_text, load_client

    text = "name: Acme\ntimezone: Mars/Olympus\n"
    folder = make_client(plans, client_yml=text)
    message = (
        "`timezone` must be an IANA time zone such as Europe/Berlin or UTC, not `Mars/Olympus`"
    )
    quick = Diagnostics()
    client = client_from_text("acme", folder / "client.yml", text, quick)
    assert [(d.line, d.message) for d in quick.errors] == [(2, message)]
    assert client is not None and client.timezone == "UTC"
    full = Diagnostics()
    assert load_client(folder, full) is None
    assert [(d.line, d.message) for d in full.errors] == [(2, message)]
