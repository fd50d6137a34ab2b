"""Shell command for local accounts (sign_in = "local"): add, disable, enable, reset, role, list."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from cseboard.access import accounts
from cseboard.access.roles import ROLES
from cseboard.store.database import StoreError
from cseboard.tools.load import open_for_shell


def _password(args) -> str:
    """From standard input with --password-stdin (for scripts), else typed twice at a prompt that does not echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Same password again: "):
        raise accounts.AccountError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Manage the dashboard's local accounts (stored in the store).")
    parser.add_argument("--db", type=Path, default=None, help="the store's DuckDB file (default: CSEBOARD_DB)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    for name in ("disable", "enable"):
        commands.add_parser(name, help=f"{name} an account").add_argument("username")
    reset = commands.add_parser("reset", help="set a new password (also clears a lock-out)")
    reset.add_argument("username")
    role = commands.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    commands.add_parser("list", help="list the accounts")
    for sub in (add, reset):
        sub.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    store = open_for_shell(args.db, "Not done: ", "manage accounts on the dashboard's Accounts page")
    if store is None:
        return 1
    try:
        if args.command == "add":
            accounts.add(store, args.username, args.role, _password(args))
        elif args.command in ("disable", "enable"):
            accounts.set_disabled(store, args.username, args.command == "disable")
        elif args.command == "reset":
            accounts.reset_password(store, args.username, _password(args))
        elif args.command == "role":
            accounts.set_role(store, args.username, args.role)
        else:
            print(accounts.listing(store).to_string(index=False))
            return 0
    except (accounts.AccountError, StoreError) as exc:
        print(f"Not done: {exc}")
        return 1
    finally:
        store.close()
    print(f"Done: {args.command} {args.username}.")
    return 0
