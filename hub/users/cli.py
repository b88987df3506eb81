"""`synchub user add | list | reset-password`: the first owner is created here."""

from __future__ import annotations

import click

from hub.core.output import emit, json_option
from hub.core.roles import Role
from hub.core.runtime import hub_transaction
from hub.core.security import WeakPassword
from hub.users import service
from hub.users.schemas import UserPublic


@click.group("user")
def user() -> None:
    """People who sign in to the hub's web UI and API."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.OWNER.value,
    show_default=True,
)
@click.option("--reseller", "reseller_id", default=None, help="reseller id (reseller roles only)")
@click.option("--name", "display_name", default="", help="display name")
@click.password_option(help="the password (asked twice when not given)")
def add(
    username: str, role: str, reseller_id: str | None, display_name: str, password: str
) -> None:
    """Create a user, e.g. the first owner: `synchub user add alice`."""
    with hub_transaction() as session:
        try:
            u = service.create_user(
                session,
                None,
                username=username,
                password=password,
                role=role,
                reseller_id=reseller_id,
                display_name=display_name,
            )
        except WeakPassword as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        f"created user {u.username} ({u.role}{', ' + u.reseller_id if u.reseller_id else ''})"
    )


@user.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Every user with role, reseller and state."""
    with hub_transaction() as session:
        users = [UserPublic.model_validate(u) for u in service.list_users(session)]

    def text() -> None:
        for u in users:
            state = "active" if u.active else "inactive"
            click.echo(f"{u.id}\t{u.username}\t{u.role}\t{u.reseller_id or '-'}\t{state}")

    emit(users, as_json, text)


@user.command("reset-password")
@click.argument("user_id", type=int)
def reset_password(user_id: int) -> None:
    """Print a temporary password; the user must change it at the next sign-in."""
    with hub_transaction() as session:
        click.echo(service.reset_password(session, None, user_id))
