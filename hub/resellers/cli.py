"""`synchub reseller ...`: enrol resellers and manage their keys — and, under the OpenSSH
reception, their OpenSSH login in the same step (:mod:`hub.reception.openssh`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy.orm import Session

from hub.audit.service import cli_principal, record
from hub.core.runtime import hub_keys, with_hub_session
from hub.core.settings import load_settings
from hub.reception.enrolment import enrolment_for
from hub.reception.openssh import OpenSshAccounts
from hub.resellers import profile, service
from hub.resellers.schemas import ResellerPublic, check_reseller_id
from shared.errors import ConfigError


def _key_text(value: str | None, option: str) -> str | None:
    """A key given inline or as the path of a file holding it."""
    if value is None:
        return None
    path = Path(value).expanduser()
    if len(value) < 4096 and path.is_file():
        try:
            return path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([(option, f"cannot read key file {path}: {exc}")]) from None
    return value


def _enabled(session: Session, reseller_id: str, enabled: bool) -> ResellerPublic:
    profile.set_enabled(session, cli_principal(), reseller_id, enabled)  # audited
    return service.get_reseller(session, reseller_id)


def _show(r: ResellerPublic, as_json: bool) -> None:
    if as_json:
        doc = r.model_dump(mode="json")
        doc.update(ssh_fingerprint=r.ssh_fingerprint, signing_fingerprint=r.signing_fingerprint)
        click.echo(json.dumps(doc, indent=2))
        return
    rows = [
        ("id", r.id),
        ("name", r.name),
        ("region", r.region_code or "-"),
        ("platform", r.platform or "-"),
        (
            "status",
            "enabled" if r.enabled else f"DISABLED since {r.disabled_at:%Y-%m-%d %H:%M} UTC",
        ),
        ("ssh key", r.ssh_public_key),
        ("ssh fingerprint", r.ssh_fingerprint),
        ("signing key", r.signing_public_key),
        ("signing fingerprint", r.signing_fingerprint),
        ("created", f"{r.created_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("updated", f"{r.updated_at:%Y-%m-%d %H:%M:%S} UTC"),
    ]
    for label, value in rows:
        click.echo(f"{label + ':':<21}{value}")


@click.group("reseller")
def reseller() -> None:
    """Enrol resellers and manage their SSH and signing keys."""


@reseller.command("add")
@click.argument("reseller_id")
@click.option("--name", required=True, help="Display name of the reseller.")
@click.option("--region", default=None, help="Kemendagri region code, e.g. 31.71.")
@click.option(
    "--platform", default=None, help="Source platform (mysql, postgresql, sqlite, files...)."
)
@click.option(
    "--ssh-key", required=True, help="OpenSSH public key line, or a .pub file holding it."
)
@click.option(
    "--signing-key", required=True, help="Base64 Ed25519 signing public key, or a file holding it."
)
def add(
    reseller_id: str,
    name: str,
    region: str | None,
    platform: str | None,
    ssh_key: str,
    signing_key: str,
) -> None:
    """Enrol a reseller: it can log in over SFTP at once.

    Under the OpenSSH reception (SYNCHUB_RECEPTION=openssh) this also creates the
    reseller's Linux login and chroot (through SYNCHUB_SFTP_ACCOUNT_COMMAND) and
    authorises its key.
    """
    data = {
        "id": reseller_id,
        "name": name,
        "region_code": region,
        "platform": platform,
        "ssh_public_key": _key_text(ssh_key, "--ssh-key"),
        "signing_public_key": _key_text(signing_key, "--signing-key"),
    }
    created = service.validate_create(data)  # report bad input before touching the database
    accounts = OpenSshAccounts.from_settings(load_settings())
    if accounts is not None:
        with_hub_session(lambda s: service.ensure_free_id(s, created.id))
        login = accounts.enrol(created.id, created.ssh_public_key)
        click.echo(f"OpenSSH login {login} ready (chroot, key authorised)")

    def enrol(s: Session) -> ResellerPublic:
        record(s, cli_principal(), "reseller.enrol", "reseller", created.id, None, {"via": "cli"})
        return service.add_reseller(s, created)

    r = with_hub_session(enrol)
    click.echo(f"added reseller {r.id} ({r.name}); ssh key {r.ssh_fingerprint}")
    click.echo(
        f"its agent's settings: synchub reseller enrolment {r.id} --out {r.id}.enrolment.json"
    )


@reseller.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(as_json: bool) -> None:
    """List enrolled resellers."""
    rows = with_hub_session(service.list_resellers)
    if as_json:
        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    if not rows:
        click.echo("no resellers yet: enrol one with `synchub reseller add`")
        return
    click.echo(f"{'ID':<32}{'STATUS':<10}{'REGION':<14}{'PLATFORM':<12}NAME")
    for r in rows:
        status = "enabled" if r.enabled else "disabled"
        click.echo(
            f"{r.id:<32}{status:<10}{r.region_code or '-':<14}{r.platform or '-':<12}{r.name}"
        )


@reseller.command("show")
@click.argument("reseller_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(reseller_id: str, as_json: bool) -> None:
    """Show one reseller with its key fingerprints."""
    _show(with_hub_session(lambda s: service.get_reseller(s, reseller_id)), as_json)


@reseller.command("disable")
@click.argument("reseller_id")
def disable(reseller_id: str) -> None:
    """Refuse the reseller's logins from now on (data is kept)."""
    r = with_hub_session(lambda s: _enabled(s, reseller_id, False))
    accounts = OpenSshAccounts.from_settings(load_settings())
    if accounts is not None:
        login = accounts.disable(r.id)
        click.echo(f"OpenSSH login {login}: key removed, account locked, open sessions ended")
    click.echo(f"reseller {r.id} disabled: new SFTP logins and file operations are refused")


@reseller.command("enable")
@click.argument("reseller_id")
def enable(reseller_id: str) -> None:
    """Allow a disabled reseller to log in again."""
    r = with_hub_session(lambda s: _enabled(s, reseller_id, True))
    accounts = OpenSshAccounts.from_settings(load_settings())
    if accounts is not None:
        login = accounts.enrol(r.id, r.ssh_public_key)
        click.echo(f"OpenSSH login {login} unlocked, key authorised")
    click.echo(f"reseller {r.id} enabled")


@reseller.command("rotate-key")
@click.argument("reseller_id")
@click.option("--ssh-key", default=None, help="New OpenSSH public key line, or a .pub file.")
@click.option(
    "--signing-key", default=None, help="New base64 Ed25519 signing public key, or a file."
)
def rotate_key(reseller_id: str, ssh_key: str | None, signing_key: str | None) -> None:
    """Replace a reseller's SSH and/or signing key; the old one stops working at once."""
    new_ssh = _key_text(ssh_key, "--ssh-key")
    new_sign = _key_text(signing_key, "--signing-key")

    def rotate(s: Session) -> ResellerPublic:
        profile.rotate_key(s, cli_principal(), reseller_id, new_ssh, new_sign)  # audited
        return service.get_reseller(s, reseller_id)

    r = with_hub_session(rotate)
    accounts = OpenSshAccounts.from_settings(load_settings())
    if accounts is not None and new_ssh is not None and r.enabled:
        accounts.set_key(r.id, r.ssh_public_key)  # the old key's next OpenSSH login is refused
    changed = " and ".join(n for n, v in (("ssh key", new_ssh), ("signing key", new_sign)) if v)
    click.echo(
        f"reseller {r.id}: {changed} replaced (ssh {r.ssh_fingerprint}, signing {r.signing_fingerprint[:16]}…)"
    )


@reseller.command("enrolment")
@click.argument("reseller_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write it to this file (default: print it).",
)
@click.option(
    "--reception",
    type=click.Choice(["builtin", "openssh"]),
    default=None,
    help="For agents of this reception (default: SYNCHUB_RECEPTION), e.g. builtin while the "
    "built-in server runs beside OpenSSH.",
)
@click.option(
    "--port", type=int, default=None, help="SFTP port agents reach (default: SYNCHUB_SFTP_PORT)."
)
def enrolment(reseller_id: str, out: Path | None, reception: str | None, port: int | None) -> None:
    """The hub's side of RESELLER_ID's enrolment, for `syncagent init --enrolment FILE`.

    Where to connect, the SFTP login (sh-<id> under OpenSSH), the host key of the
    configured reception and the hub's public keys: all public, safe to e-mail.
    Works before or after `synchub reseller add`.
    """
    try:
        check_reseller_id(reseller_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="RESELLER_ID") from None
    settings = load_settings()
    chosen = settings.model_copy(
        update={
            "reception": reception or settings.reception,
            "sftp_port": port or settings.sftp_port,
        }
    )
    text = enrolment_for(chosen, hub_keys(settings), reseller_id).to_json()
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}: the reseller runs `syncagent init --enrolment {out.name} ...`")
