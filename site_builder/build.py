"""The orchestrator: load and validate everything, then write every client's site.

Reads top to bottom like MkDocs' build command: load -> validate -> history -> (per client, in
parallel) derive -> render -> MkDocs build into a temporary folder -> swap into place. Nothing
in the output folder changes unless every requested client built; each client folder is swapped
atomically, so readers and crashes never see a half-written site.
"""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import tempfile
import zlib
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import derive
from .access import modes as access
from .access import password as protect
from .access import shell as login_shell
from .derive import ClientState
from .errors import BuildError, Diagnostics, PlanError
from .folders import (
    REPO_ROOT,
    TMP_PREFIX,
    base_config_for,
    check_output_folder,
    config_layer,
    output_lock,
    remove_stale_temporaries,
    swap_into_place,
    templates_for,
)
from .model import Client, Plans
from .plans import agency
from .plans.history import History, changed_clients, read_history
from .plans.load import load_plans
from .site import i18n
from .site.render import Preview, SiteBundle, brand, problems_site, render_site
from .store import AssetStore
from .workers import run_jobs

TEAM_SITE = "_team"  # never a client slug: slugs cannot contain "_"


@dataclass(frozen=True)
class BuildOptions:
    plans: Path = Path("plans")
    out: Path = Path("site")
    clients: tuple[str, ...] = ()
    today: dt.date | None = None
    strict: bool = False
    jobs: int = 0  # 0 = one per CPU
    changed_since: str | None = None  # a git revision: build only clients changed since
    shard: tuple[int, int] | None = None  # (I, N): build only the clients of shard I of N
    team: bool = False  # also write the internal team dashboard to OUT/_team
    settings: Path | None = None  # the agency's settings (default: site-builder.yml)


@dataclass(frozen=True)
class Checked:
    """Plans that passed validation, their git history, the warnings found, and each loaded
    client's derived state: derived once per run, then reused by the sites, the team
    dashboard, `status`, `events` and exports."""

    plans: Plans
    history: History
    diagnostics: Diagnostics
    agency: agency.AgencySettings = agency.AgencySettings()
    states: tuple[ClientState, ...] = ()

    def state(self, slug: str) -> ClientState:
        for state in self.states:
            if state.client.slug == slug:
                return state
        raise KeyError(slug)


@dataclass(frozen=True)
class BuiltSite:
    slug: str
    path: Path
    warnings: tuple[str, ...] = ()


@dataclass
class BuildReport:
    sites: list[BuiltSite] = field(default_factory=list)
    warnings: list = field(default_factory=list)


# --- inputs -----------------------------------------------------------------------------------


def agency_inputs(plans: Path, settings: Path | None = None) -> list[Path]:
    """The agency's files that shape every site: its settings and its own mkdocs.yml."""
    layer = config_layer(plans)
    return [agency.settings_path(plans, settings), *([layer] if layer else [])]


def client_today(client: Client, today: dt.date | None, now: dt.datetime | None = None) -> dt.date:
    """`--today` if given, else the current date in the client's time zone."""
    if today is not None:
        return today
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(zoneinfo.ZoneInfo(client.timezone)).date()


def validate(
    plans_dir: Path,
    clients: Iterable[str] = (),
    strict: bool = False,
    today: dt.date | None = None,
    settings: Path | None = None,
) -> Checked:
    """Load and check the plans, the agency's settings and its own mkdocs.yml, and the
    history, and derive each client (once: every later stage reuses Checked.states); raise
    PlanError on errors (or warnings, if strict)."""
    from .engines.mkdocs import layer_problems, supported_languages

    plans, diags = load_plans(plans_dir, clients)
    agency_settings, agency_diags = agency.load_settings(plans_dir, settings)
    diags.extend(agency_diags)
    layer = config_layer(plans_dir)
    if layer is not None:
        diags.extend(layer_problems(layer, base_config_for(plans_dir)))
    languages = supported_languages()
    for client in plans.clients:
        base = client.language.split("-")[0]
        not_allowed = agency.language_problem(agency_settings, client.language)
        if not_allowed:
            diags.error(client.source.path, client.language_line, not_allowed)
        elif client.language not in languages and base not in languages:
            diags.error(
                client.source.path,
                client.language_line,
                f"`language`: `{client.language}` is not a language Material for MkDocs "
                f"supports (e.g. en, de, fr, es, nl)",
            )
        elif missing := i18n.missing_labels(client.language):
            shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
            diags.warning(
                client.source.path,
                client.language_line,
                f"{len(missing)} of {len(i18n.EN)} site-builder labels have no "
                f"`{client.language}` translation ({shown}); they show in English",
            )
    only = list(clients)
    history = (
        read_history(plans_dir, [c.slug for c in plans.clients] if only else ())
        if not diags.errors
        else History()
    )
    diags.extend(list(history.warnings))
    states = tuple(
        derive.derive_client(
            c, client_today(c, today), history.for_client(c.slug), history.approvals_for(c.slug)
        )
        for c in (plans.clients if not diags.errors else ())
    )
    for state in states:
        for project in state.projects:
            by_id = {m.id: m for m in project.milestones}
            for edit in project.scope_changes:
                m = by_id[edit.milestone]
                diags.warning(
                    m.milestone.source.path,
                    m.milestone.source.line,
                    f"milestone `{edit.milestone}` was approved on {m.approved_on}, "
                    f"but commit {edit.commit} ({edit.date}) changed its "
                    f"{', '.join(edit.fields)} after sign-off: record it as a change "
                    f"order",
                )
    problems = diags.errors + (diags.warnings if strict else [])
    if problems:
        raise PlanError(diags.items if strict else diags.errors + diags.warnings)
    return Checked(plans, history, diags, agency_settings, states)


def prepare_client(state: ClientState, last_commit: int | None, templates: Path) -> SiteBundle:
    """Render one derived client (pure apart from reading templates); `last_commit` is the
    time (Unix seconds) of the newest commit touching it, for "last updated"."""
    updated = (
        dt.datetime.fromtimestamp(last_commit, dt.timezone.utc).date() if last_commit else None
    )
    return render_site(state, templates, last_updated=updated)


def prepare_for_preview(
    plans_dir: Path, slug: str, today: str | None, settings: Path | None = None
) -> Preview:
    """For live preview: the bundle of one client and the paths to watch.

    When the plans have errors, the bundle is a page listing them (the preview keeps running
    and recovers on the next save); an unknown client is still a usage error.
    """
    fixed = dt.date.fromisoformat(today) if today else None
    base = base_config_for(plans_dir)
    templates = templates_for(base)
    watch = [
        Path(plans_dir) / slug,
        templates,
        *(p for p in agency_inputs(plans_dir, settings) if p.exists()),
    ]
    try:
        checked = validate(plans_dir, [slug], today=fixed, settings=settings)
    except PlanError as exc:
        problems = problems_site(slug, exc.diagnostics, fixed or dt.date.today(), templates)
        return Preview(problems, watch, agency.AgencySettings())
    bundle = prepare_client(checked.state(slug), checked.history.last_commit.get(slug), templates)
    return Preview(brand(bundle, checked.agency), watch, checked.agency)


# --- the build --------------------------------------------------------------------------------


def shard_of(slug: str, shards: int) -> int:
    """The shard (1..N) a client belongs to: stable when other clients come and go."""
    return zlib.crc32(slug.encode("utf-8")) % shards + 1


def select_clients(options: BuildOptions, base: Path, templates: Path) -> tuple[str, ...] | None:
    """The clients this build is for; None when --changed-since found nothing to do."""
    clients = options.clients
    if options.shard or options.changed_since:
        clients = clients or tuple(
            sorted(
                p.name
                for p in Path(options.plans).iterdir()
                if p.is_dir() and not p.name.startswith(".")
            )
        )
    if options.shard:
        index, count = options.shard
        clients = tuple(c for c in clients if shard_of(c, count) == index)
    if options.changed_since:
        changed = changed_clients(
            options.plans,
            options.changed_since,
            [
                base,
                templates.parent,
                *_package_sources(),
                *agency_inputs(options.plans, options.settings),
            ],
        )
        if changed is not None:  # None: shared theme/config changed, so every client
            clients = tuple(c for c in clients if c in changed)
    if (options.shard or options.changed_since) and not clients:
        return None
    return clients


def build(
    options: BuildOptions, progress: Callable[[BuiltSite, int, int], None] | None = None
) -> BuildReport:
    """Build the requested clients' sites into options.out; all or nothing."""
    check_output_folder(options.out, options.plans)
    base = base_config_for(options.plans)
    templates = templates_for(base)
    clients = select_clients(options, base, templates)
    if clients is None:
        return BuildReport()
    # The team dashboard covers every client, so --team loads them all.
    checked = validate(
        options.plans,
        () if options.team else clients,
        options.strict,
        options.today,
        options.settings,
    )
    layer = config_layer(options.plans)
    history = checked.history
    report = BuildReport(warnings=checked.diagnostics.warnings)
    selected = [s for s in checked.states if not clients or s.client.slug in clients]
    salt_secret = (
        protect.salt_secret() if any(s.client.access.needs_password for s in selected) else None
    )

    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        remove_stale_temporaries(out)
        # Absolute: MkDocs resolves relative paths against its config file, not the cwd.
        staging = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out)).resolve()
        store = out.resolve()
        try:
            jobs = [
                ClientJob(
                    s,
                    history.last_commit.get(s.client.slug),
                    templates,
                    base,
                    staging / s.client.slug,
                    store,
                    _password(s.client),
                    salt_secret,
                    checked.agency,
                    layer,
                )
                for s in selected
            ]
            built = list(
                run_jobs(_build_one, jobs, options.jobs, progress, ["site_builder.engines.mkdocs"])
            )
            if options.team:
                built.append(
                    _build_team(
                        checked.states,
                        history,
                        options.today,
                        templates,
                        base,
                        staging / TEAM_SITE,
                        store,
                        checked.agency,
                        layer,
                    )
                )
            for site in built:  # every client built: publish each one atomically
                swap_into_place(staging / site.slug, out / site.slug)
                report.sites.append(BuiltSite(site.slug, out / site.slug, site.warnings))
            hosted = [s.client for s in selected]
            access.write_build_access_files(out, staging, hosted)  # host mode: OUT/_access
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            AssetStore(store).collect()
    return report


def _build_team(
    states: tuple[ClientState, ...],
    history: History,
    today: dt.date | None,
    templates: Path,
    base: Path,
    site_dir: Path,
    out: Path,
    agency_settings: agency.AgencySettings = agency.AgencySettings(),
    layer: Path | None = None,
) -> BuiltSite:
    """The internal team dashboard (OUT/_team): every client, internal notes included."""
    from .engines.mkdocs import build_site
    from .site.team import render_team_site

    bundle = brand(
        render_team_site(
            states, templates, today or max((s.today for s in states), default=dt.date.today())
        ),
        agency_settings,
    )
    check_site_paths(bundle)
    epoch = max(history.last_commit.values(), default=0) or calendar.timegm(
        bundle.today.timetuple()
    )
    warnings = build_site(bundle, base, site_dir, epoch, AssetStore(out), agency_settings, layer)
    return BuiltSite(TEAM_SITE, site_dir, tuple(warnings))


def _package_sources() -> list[Path]:
    """Our own templates, when running from a checkout (they shape every site)."""
    return [p for p in (REPO_ROOT / "theme",) if p.is_dir()]


@dataclass(frozen=True)
class ClientJob:
    """Everything a worker needs to build one client's site."""

    state: ClientState  # derived once, in validate()
    last_commit: int | None  # Unix time of the newest commit touching the client
    templates: Path
    base_config: Path
    site_dir: Path
    out: Path  # the output folder (for its shared asset store)
    password: protect.Secret | None = None  # password mode: from the client's password_env
    salt_secret: protect.Secret | None = None  # pins password-mode salts (protect.py)
    agency: agency.AgencySettings = agency.AgencySettings()  # site-builder.yml
    layer: Path | None = None  # the plans repository's own mkdocs.yml


def _password(client: Client) -> protect.Secret | None:
    """Read in the main process: workers fork from a server started earlier, whose
    environment may predate a variable set since."""
    password = access.password_for(client.access)
    return protect.Secret(password) if password is not None else None


def check_site_paths(bundle: SiteBundle) -> None:
    """Every file a site writes stays inside its folder. Loading already refuses `..` and
    absolute paths in plans; this guard sits at the writer (MkDocs would write an absolute
    path wherever it points)."""
    paths = (
        [p.path for p in bundle.pages]
        + [f.path for f in bundle.files]
        + [p for p in (bundle.logo, bundle.favicon, *bundle.extra_css) if p]
    )
    for path in paths:
        pure = PurePosixPath(path.replace("\\", "/"))  # a separator on Windows
        if not pure.parts or pure.is_absolute() or ".." in pure.parts or ":" in pure.parts[0]:
            raise BuildError(
                f"{bundle.slug}: refusing to write `{path}`: not a path inside the site folder"
            )


def _build_one(job: ClientJob) -> BuiltSite:
    from .engines.mkdocs import PAGE_LISTING_FOLDERS, PAGE_LISTINGS, THEME_FOLDER, build_site

    client = job.state.client
    mode = client.access.mode
    if client.access.needs_password and job.password is None:
        # Never the site unencrypted: a page that says it is not available, and a warning.
        login_shell.write_placeholder(job.site_dir, client.language)
        access.write_marker(job.site_dir, mode, protected=False)
        return BuiltSite(
            client.slug,
            job.site_dir,
            (
                f"password mode, but the environment variable {client.access.password_env} is "
                f"not set: wrote a placeholder page instead of the site (nothing of the plans is "
                f"in it; `publish` refuses it). Set {client.access.password_env} and build "
                f"again.",
            ),
        )
    bundle = brand(prepare_client(job.state, job.last_commit, job.templates), job.agency)
    check_site_paths(bundle)
    epoch = job.last_commit or calendar.timegm(bundle.today.timetuple())
    warnings = build_site(
        bundle, job.base_config, job.site_dir, epoch, AssetStore(job.out), job.agency, job.layer
    )
    if client.access.needs_password:
        assert job.password is not None  # without one, the placeholder above was written
        # The salt of the site now in OUT is kept while the password still opens it.
        sealer = protect.sealer_for(
            client.slug, job.password.reveal(), job.out / client.slug, job.salt_secret
        )
        engine = login_shell.EngineFiles(THEME_FOLDER, PAGE_LISTINGS, PAGE_LISTING_FOLDERS)
        login_shell.protect_site(
            job.site_dir, sealer, client.language, [f.path for f in bundle.files], engine
        )
        if len(job.password.reveal()) < protect.MIN_PASSWORD:
            warnings.append(
                f"the password in {client.access.password_env} is shorter than "
                f"{protect.MIN_PASSWORD} characters: anyone can try passwords "
                f"against the published files offline; use a long passphrase"
            )
    access.write_marker(job.site_dir, mode, protected=True)
    AssetStore(job.out).share_identical(job.site_dir)
    return BuiltSite(client.slug, job.site_dir, tuple(warnings))
