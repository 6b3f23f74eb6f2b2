"""Parallel, sharded and incremental builds give the same bytes as a plain sequential build;
theme files are shared by hard link, and every site still stands alone."""

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import approval, commit_all, make_client

from site_builder.build import BuildOptions, build, shard_of

TODAY = dt.date(2026, 2, 1)
SLUGS = ("amber", "birch", "cedar", "delta", "ember")


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sites(out: Path) -> dict[str, dict[str, str]]:
    return {slug: tree(out / slug) for slug in SLUGS if (out / slug).is_dir()}


def make_repo(plans: Path, tmp_path: Path) -> str:
    for slug in SLUGS:
        make_client(
            plans,
            slug=slug,
            client_yml=f"name: {slug.title()} Co\n",
            approvals={"web": {"k.md": approval("kickoff", "2026-01-09")}},
        )
    return commit_all(tmp_path, "Plans", "2026-01-01")


def run(plans, out, **options):
    return build(BuildOptions(plans=plans, out=out, today=TODAY, **options))


@pytest.mark.slow
def test_parallel_sharded_and_incremental_equal_sequential(plans, tmp_path):
    first = make_repo(plans, tmp_path)
    run(plans, tmp_path / "seq", jobs=1)
    expected = sites(tmp_path / "seq")
    assert len(expected) == 5

    run(plans, tmp_path / "par", jobs=2)
    assert sites(tmp_path / "par") == expected

    shards = {}
    for index in (1, 2, 3):
        report = run(plans, tmp_path / "shard", jobs=2, shard=(index, 3))
        shards[index] = [s.slug for s in report.sites]
        assert all(shard_of(slug, 3) == index for slug in shards[index])
    assert sorted(sum(shards.values(), [])) == list(SLUGS)  # each client in exactly one shard
    assert sites(tmp_path / "shard") == expected

    # Incremental: change one client, rebuild only it on top of the old output.
    plan = plans / "cedar" / "web" / "plan.yml"
    plan.write_text(plan.read_text().replace("Site live", "Site live and announced"))
    commit_all(tmp_path, "Cedar retitles launch", "2026-01-15")
    report = run(plans, tmp_path / "seq", jobs=2, changed_since=first)
    assert [s.slug for s in report.sites] == ["cedar"]
    run(plans, tmp_path / "fresh", jobs=1)
    assert sites(tmp_path / "seq") == sites(tmp_path / "fresh")


def test_theme_files_are_hard_linked_and_sites_stand_alone(plans, tmp_path):
    make_repo(plans, tmp_path)
    out = tmp_path / "site"
    run(plans, out, jobs=2)
    bundle = "assets/stylesheets"
    css = [p for p in (out / "amber" / bundle).iterdir() if p.name.startswith("main.")][0]
    twin = out / "birch" / bundle / css.name
    assert os.stat(css).st_ino == os.stat(twin).st_ino  # one file on disk for every site
    assert not [p for p in out.rglob("*") if p.is_symlink()]
    assert not list(out.rglob("*.map"))  # no source maps
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-rL", str(out / "amber"), str(copy)], check=True)
    assert tree(copy) == tree(out / "amber")
    # Removing every site lets the store be collected on the next build.
    for slug in SLUGS[1:]:
        shutil.rmtree(out / slug)
    run(plans, out, jobs=1, clients=("amber",))
    stored = [p for p in (out / ".site-builder-assets").rglob("*") if p.is_file()]
    assert stored and all(p.stat().st_nlink == 2 for p in stored)
